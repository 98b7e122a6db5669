/** Reading option values and stdin: each refusal a `CacheConfigError` (exit 2). */
import type { Readable } from 'node:stream';
import { CacheConfigError } from '@cache/core';
import { parsePositiveInteger, parseTtl } from '@cache/core/backend';
import type { CommandContext } from './command.js';

/** `--ttl`: a duration (`10s`, `5m`, milliseconds) or `infinity`; `undefined` when absent. */
export function ttlOption(ctx: CommandContext): string | number | undefined {
  const ttl = ctx.string('ttl');
  if (ttl === undefined) return undefined;
  return parseTtl(ttl, '--ttl') ?? Number.POSITIVE_INFINITY;
}

/** `--tags a,b`: the tags, without empty ones; `undefined` when absent. */
export function tagsOption(ctx: CommandContext): string[] | undefined {
  const tags = ctx.string('tags');
  if (tags === undefined) return undefined;
  return tags
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/** A positive integer option, or `fallback`. */
export function integerOption(ctx: CommandContext, name: string, fallback: number): number;
export function integerOption(ctx: CommandContext, name: string, fallback?: number): number | undefined;
export function integerOption(ctx: CommandContext, name: string, fallback?: number): number | undefined {
  return parsePositiveInteger(ctx.string(name), `--${name}`) ?? fallback;
}

/** One of `choices`, or `fallback`. */
export function choiceOption<T extends string>(
  ctx: CommandContext,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = ctx.string(name);
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new CacheConfigError(
      `--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`,
    );
  return value as T;
}

/** Refuses two options given together. */
export function exclusive(ctx: CommandContext, ...names: string[]): void {
  const given = names.filter((n) => ctx.values[n] !== undefined);
  if (given.length > 1)
    throw new CacheConfigError(`${given.map((n) => `--${n}`).join(' and ')} cannot be given together`);
}

/** All of stdin, as bytes. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
