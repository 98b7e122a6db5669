/**
 * The tags of `MemoryCache`'s slots, and the index from a tag to its slots (a map of its own,
 * apart from user keys) that lets `invalidateTags` remove the tagged entries at once. Sparse:
 * only tagged slots are in it, and the cache calls it only for slots whose flags say tagged.
 */

export const NO_TAGS: readonly string[] = Object.freeze([]);

/** Tag -> slots, and slot -> tags. */
export class TagIndex {
  readonly #tagsOf = new Map<number, readonly string[]>();
  readonly #slotsByTag = new Map<string, Set<number>>();

  /** A slot's tags (none when untagged). */
  of(slot: number): readonly string[] {
    return this.#tagsOf.get(slot) ?? NO_TAGS;
  }

  /** The slots carrying a tag, if any. */
  slots(tag: string): ReadonlySet<number> | undefined {
    return this.#slotsByTag.get(tag);
  }

  /** Indexes a slot under its (non-empty) tags. */
  add(slot: number, tags: readonly string[]): void {
    this.#tagsOf.set(slot, tags);
    for (const tag of tags) {
      const slots = this.#slotsByTag.get(tag);
      if (slots === undefined) this.#slotsByTag.set(tag, new Set([slot]));
      else slots.add(slot);
    }
  }

  /** Removes a tagged slot from the index. */
  remove(slot: number): void {
    for (const tag of this.#tagsOf.get(slot)!) {
      const slots = this.#slotsByTag.get(tag);
      if (slots?.delete(slot) && slots.size === 0) this.#slotsByTag.delete(tag);
    }
    this.#tagsOf.delete(slot);
  }

  clear(): void {
    this.#tagsOf.clear();
    this.#slotsByTag.clear();
  }
}
