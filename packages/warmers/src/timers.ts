/** Timers that `warm` and `schedule` wait on; inject fake ones (tied to a manual clock) in tests. */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for {@link Timers.clearTimeout}. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer that has not fired; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: unknown): void;
}

/** The platform's `setTimeout` and `clearTimeout`. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
