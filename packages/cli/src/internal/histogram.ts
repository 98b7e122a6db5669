/**
 * A latency histogram in the manner of HdrHistogram: values (integers, here nanoseconds) fall in
 * buckets whose width grows with the value, 64 sub-buckets per power of two, so every recorded
 * value is known to within 1/64 (1.6%) of itself in a fixed, small array, whatever the range.
 * Values under 64 have a bucket each. The maximum is kept exactly.
 */

const SUB_BITS = 6;
const SUB_COUNT = 1 << SUB_BITS; // 64
/** Powers of two up to 2^53 (the largest exact integer). */
const BUCKETS = SUB_COUNT + (53 - SUB_BITS) * SUB_COUNT;

/** A log-bucketed histogram of non-negative integers. */
export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #max = 0;
  #min = Number.POSITIVE_INFINITY;

  /** Values recorded. */
  get count(): number {
    return this.#count;
  }

  /** The largest value recorded (exact); `0` when empty. */
  get max(): number {
    return this.#max;
  }

  /** The smallest value recorded (exact); `0` when empty. */
  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** The mean of the values recorded (exact); `0` when empty. */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /** Records one value (rounded, and clamped to `[0, 2^53)`). */
  record(value: number): void {
    const v = Math.min(Math.max(0, Math.round(value)), Number.MAX_SAFE_INTEGER);
    const index = Histogram.indexOf(v);
    this.#counts[index] = (this.#counts[index] as number) + 1;
    this.#count++;
    this.#sum += v;
    if (v > this.#max) this.#max = v;
    if (v < this.#min) this.#min = v;
  }

  /** The bucket of a value. */
  static indexOf(v: number): number {
    if (v < SUB_COUNT) return v;
    const exponent = Math.floor(Math.log2(v));
    // Math.log2 may round up just below a power of two; the sub-bucket must stay in [64, 128).
    let shift = exponent - SUB_BITS;
    let top = Math.floor(v / 2 ** shift);
    if (top >= 2 * SUB_COUNT) {
      shift++;
      top = Math.floor(v / 2 ** shift);
    } else if (top < SUB_COUNT) {
      shift--;
      top = Math.floor(v / 2 ** shift);
    }
    return SUB_COUNT + shift * SUB_COUNT + (top - SUB_COUNT);
  }

  /** The largest value that falls in bucket `index`. */
  static highestIn(index: number): number {
    if (index < SUB_COUNT) return index;
    const shift = Math.floor((index - SUB_COUNT) / SUB_COUNT);
    const top = SUB_COUNT + ((index - SUB_COUNT) % SUB_COUNT);
    return (top + 1) * 2 ** shift - 1;
  }

  /**
   * The value at or below which `percentile`% of the values fall: the top of that value's bucket,
   * never above the maximum; `0` when empty.
   */
  percentile(percentile: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, percentile)) / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] as number;
      if (seen >= rank) return Math.min(Histogram.highestIn(i), this.#max);
    }
    return this.#max;
  }
}
