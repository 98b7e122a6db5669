/**
 * GitHub's heading anchors: lower case, punctuation removed (letters, digits, `-` and `_` kept),
 * each space a `-`. VitePress's default collapses dashes and drops more, which breaks links written
 * for GitHub (`#errors--what-to-do`).
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}
