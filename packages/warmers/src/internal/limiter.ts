/** At most `limit` operations at a time; the waiting ones run in the order they asked. */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves when a slot is free; the caller must {@link Limiter.release} it. */
  acquire(): Promise<void> {
    if (this.#active < this.#limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  /** Frees a slot, handing it to the next waiter if there is one. */
  release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active--;
  }
}
