/** A source of time in epoch milliseconds. Inject one to drive expiry in tests and simulations. */
export interface Clock {
  /** The current time in epoch milliseconds. */
  now(): number;
}

/** The real clock (`Date.now`). */
export const systemClock: Clock = { now: Date.now };
