/**
 * `onRemoteSet: 'stale'`: the L1 copies that a bus message replaced, kept (newest first out past
 * `limit`) to be served only while L2 cannot be read. Anything written, removed or invalidated
 * here forgets them.
 */
export class StaleCopies<V> {
  readonly #limit: number;
  readonly #copies = new Map<string, V>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  keep(key: string, value: V): void {
    this.#copies.delete(key);
    this.#copies.set(key, value);
    if (this.#copies.size > this.#limit) this.#copies.delete(this.#copies.keys().next().value as string);
  }

  get(key: string): V | undefined {
    return this.#copies.get(key);
  }

  forget(key: string): void {
    this.#copies.delete(key);
  }

  clear(): void {
    this.#copies.clear();
  }
}
