/**
 * Chooses W-TinyLFU's window share by miniature simulation (internal, used by `TinyLfuPolicy`).
 *
 * After Waldspurger et al., "Cache Modeling and Optimization using Miniature Simulations"
 * (ATC'17), as Caffeine's simulator applies it to W-TinyLFU (`MiniSimClimber`, Einziger, Eytan,
 * Friedman & Manes, "Adaptive Software Cache Management", Middleware'18): a fixed 1/R of the
 * key space (by hash) is fed to a few {@link MiniWindowCache}s of `entries / R` entries, each
 * with a different fixed window share. They see the same requests at the same time, so phase
 * changes of the workload move all of them alike and their difference is the effect of the
 * window alone (a hill climber compares consecutive periods, where phases drown that effect).
 * At the end of each epoch the share of the miniature with the most (exponentially aged) hits
 * becomes the target if it beats the current target by a margin; ties keep the current target,
 * so a workload that hits nowhere (a pure scan) does not move the window.
 *
 * Cost: a request of an unsampled key costs one mask test on its hash; a sampled one costs a
 * lookup in each miniature (and, on a miniature miss, at most two sketch reads). R is a power of
 * two chosen so a miniature holds at most {@link MINI_ENTRIES} entries; up to that size the
 * miniatures see every key. Memory is about 29 bytes per miniature entry (hash, links, segment
 * byte, index cells), so a bounded cost per cache whatever its size. The sample's size sets the
 * noise of the choice; why 512 entries, with the measurements, is in docs/memory-policies.md.
 */
import type { FrequencySketch } from './frequency-sketch.js';
import { MiniWindowCache } from './mini-window-cache.js';

/** The window shares simulated. */
export const WINDOW_SHARES: readonly number[] = [0.01, 0.05, 0.15, 0.3, 0.5, 0.8];
/** Most entries of one miniature. */
export const MINI_ENTRIES = 512;
/** Weight of the previous epochs' scores (exponential ageing: a memory of about 20 epochs). */
const SCORE_DECAY = 0.95;
/**
 * Hysteresis: the target moves only when the best miniature beats the current target's by more
 * than this share of the (aged) sampled requests. Without it, phases where the shares differ by
 * noise flip the window back and forth, and each move costs hits.
 */
const SWITCH_MARGIN = 0.01;

/**
 * The window limit when the cache's entry count becomes `maximum`: 1% of it at first (`previous`
 * 0), then the share that `window` was of the `previous` count.
 */
export function windowLimit(maximum: number, previous: number, window: number): number {
  if (previous === 0) return maximum - Math.floor(0.99 * maximum);
  return Math.max(1, Math.min(maximum, Math.round((window * maximum) / previous)));
}

export class WindowTuner {
  /** The entry count the miniatures were sized for. */
  readonly entries: number;
  readonly #minis: MiniWindowCache[];
  readonly #scores: Float64Array;
  /** A hash is sampled when these of its bits are 0 (`rate - 1`; its bits are well mixed). */
  readonly #sampleMask: number;
  readonly #epoch: number;
  /** Index in {@link WINDOW_SHARES} of the share the miniatures currently favour. */
  #target: number;
  #sampled = 0;
  #epochs = 0;
  /** Sampled requests, aged like the scores. */
  #requests = 0;

  /**
   * @param entries the cache's entry count
   * @param initialTarget index in {@link WINDOW_SHARES} of the share to start from
   * @param miniEntries most entries of one miniature
   */
  constructor(entries: number, sketch: FrequencySketch, initialTarget = 0, miniEntries = MINI_ENTRIES) {
    let rate = 1;
    while (entries / rate > miniEntries) rate *= 2;
    const size = Math.max(1, Math.ceil(entries / rate));
    this.#sampleMask = rate - 1;
    this.#minis = WINDOW_SHARES.map((share) => new MiniWindowCache(size, share, sketch));
    this.#scores = new Float64Array(WINDOW_SHARES.length);
    // An epoch is one miniature's worth of sampled requests (about `entries` requests in all).
    this.#epoch = Math.max(16, size);
    this.#target = initialTarget;
    this.entries = entries;
  }

  /**
   * The tuner for a cache of `entries`: `tuner` itself while the count stays between half and
   * double what it was sized for, else a new one that starts from its target share.
   */
  static sizedFor(
    tuner: WindowTuner | null,
    entries: number,
    sketch: FrequencySketch,
    miniEntries: number,
  ): WindowTuner {
    if (tuner !== null && entries < 2 * tuner.entries && 2 * entries > tuner.entries) return tuner;
    return new WindowTuner(entries, sketch, tuner?.targetIndex ?? 0, miniEntries);
  }

  /** The window share the miniatures currently favour. */
  get target(): number {
    return WINDOW_SHARES[this.#target]!;
  }

  /** A hash is sampled when `(hash & sampleMask) === 0`. */
  get sampleMask(): number {
    return this.#sampleMask;
  }

  /** Index of {@link target} in {@link WINDOW_SHARES}. */
  get targetIndex(): number {
    return this.#target;
  }

  /** Feeds one request (after the sketch counted it); true when an epoch ended and `target` may have moved. */
  record(hash: number): boolean {
    if ((hash & this.#sampleMask) !== 0) return false;
    const minis = this.#minis;
    for (let i = 0; i < minis.length; i++) minis[i]!.record(hash);
    if (++this.#sampled < this.#epoch) return false;
    this.#sampled = 0;
    return this.#decide();
  }

  /** Epochs completed (for tests). */
  get epochs(): number {
    return this.#epochs;
  }

  /** Forgets every key and score. */
  clear(): void {
    for (const mini of this.#minis) {
      mini.clear();
      mini.hits = 0;
    }
    this.#scores.fill(0);
    this.#sampled = 0;
  }

  #decide(): boolean {
    this.#epochs++;
    this.#requests = SCORE_DECAY * this.#requests + this.#epoch;
    const scores = this.#scores;
    let best = -1;
    let bestScore = -1;
    let targetScore = -1;
    for (let i = 0; i < scores.length; i++) {
      const mini = this.#minis[i]!;
      const score = SCORE_DECAY * scores[i]! + mini.hits;
      mini.hits = 0;
      scores[i] = score;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
      if (i === this.#target) targetScore = score;
    }
    if (bestScore - targetScore <= SWITCH_MARGIN * this.#requests) return false;
    this.#target = best;
    return true;
  }
}
