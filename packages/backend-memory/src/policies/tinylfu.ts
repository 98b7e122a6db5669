/**
 * W-TinyLFU with an adaptive window, after Caffeine's `BoundedLocalCache` (Einziger, Friedman &
 * Manes, "TinyLFU: A Highly Efficient Cache Admission Policy"). docs/memory-policies.md ("How the
 * default policy works") explains the design and the measurements behind it.
 *
 * Three lists over slots: the admission window (1% of the entries at first, then the share the
 * {@link WindowTuner} picks) and main, a segmented LRU of probation and protected (at most 80% of
 * main). New entries enter the window; its overflow moves to probation's tail as candidates, and
 * each candidate duels probation's head, the victim: the one with the lower frequency leaves.
 * Recency is CLOCK: a hit sets the entry's reference bit, and the entry moves (or is promoted)
 * when eviction reaches it. Frequencies are a {@link FrequencySketch} by key hash plus a pending
 * count in each node, handed to the sketch when the entry leaves.
 *
 * Nodes: one Int32Array of 4-int nodes (prev, next, key hash, state), one per slot after three
 * list sentinels; the lists are circular through their sentinels, so linking has no branches.
 *
 * It is over 400 lines because it is a hot loop: every read, insert and eviction of the default
 * policy runs here, on one node layout whose constants V8 folds only when they are local to the
 * module; the cold passes over every node share that layout.
 */
import { FrequencySketch } from './frequency-sketch.js';
import { hashString, randomSeed, xorshift32 } from './hash.js';
import type { EvictionPolicy } from './policy.js';
import { MINI_ENTRIES, WindowTuner, windowLimit } from './window-tuner.js';

const NOWHERE = 0;
const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

/** Int32 fields per node: the two links (node offsets), the key hash, the state. 4: offsets shift by 2. */
const STRIDE = 4;
const PREV = 0;
const NEXT = 1;
const HASH = 2;
/**
 * The state field: segment (bits 0-1), reference bit (2: read since the policy last looked),
 * sampled bit (3: the window tuner samples this key), frequency (4-7), pending count (8-11), and
 * the reads since the entry was written (12-30, saturating: they rank `hottest()`, not eviction).
 */
const STATE = 3;
const SEGMENT = 3;
const REFERENCED = 4;
const SAMPLED = 8;
const FREQUENCY_SHIFT = 4;
const FREQUENCY = 15 << FREQUENCY_SHIFT;
const PENDING_SHIFT = 8;
const PENDING = 15 << PENDING_SHIFT;
const READS_SHIFT = 12;
const READ = 1 << READS_SHIFT;
const READS = 0x7ffff << READS_SHIFT;
/** One more counted hit: the frequency and the pending count both go up by one. */
const HIT = (1 << FREQUENCY_SHIFT) | (1 << PENDING_SHIFT);
/** In a list's sentinel node, the HASH field holds the list's length. */
const LENGTH = 2;
/** Node offsets of the sentinels (node 0 is unused). */
const WINDOW_LIST = WINDOW * STRIDE;
const PROBATION_LIST = PROBATION * STRIDE;
const PROTECTED_LIST = PROTECTED * STRIDE;
/** The node of slot `s` starts at `(s + FIRST) * STRIDE`. */
const FIRST = 4;
const FIRST_OFFSET = FIRST * STRIDE;

const PERCENT_MAIN_PROTECTED = 0.8;
/** A losing candidate at least this frequent is admitted with probability 1/128. */
const ADMIT_HASHDOS_THRESHOLD = 6;
/** Requests counted in nodes are reported to the sketch's reset clock up to this many at a time. */
const SAMPLE_BATCH = 64;
/** The window limit before the entry count is known (bounded by bytes, nothing evicted yet). */
const UNBOUNDED = 0x3fffffff;

/** Options of {@link TinyLfuPolicy} beyond the capacity (for tests and simulations). */
export interface TinyLfuOptions {
  /** Seed of the key hash and of the random admission; random per instance when absent. */
  seed?: number | undefined;
  /** Most entries of one miniature of the window tuner (default `MINI_ENTRIES`, 512). */
  miniEntries?: number | undefined;
}

export class TinyLfuPolicy implements EvictionPolicy {
  readonly name = 'tinylfu' as const;
  /** Per list sentinel and per slot: prev, next, hash, state (see STRIDE). */
  #node: Int32Array;
  readonly #sketch: FrequencySketch;
  /** The sketch's reset count the node frequencies were last aged to. */
  #resets = 0;
  /** Requests counted in nodes and not yet reported to the sketch, and how many are reported at once. */
  #deferred = 0;
  #batch = 1;
  readonly #seed: number;
  readonly #hint: number;
  readonly #miniEntries: number;
  #random: number;
  #size = 0;

  #maximum = 0;
  #windowMaximum = UNBOUNDED;
  #protectedMaximum = 0;

  /** Picks the window share by miniature simulation; made when the entry count is known. */
  #tuner: WindowTuner | null = null;
  /** A hash is sampled for the tuner when these bits are 0 (all bits without a tuner: only hash 0, counted at once). */
  #sampleMask = -1;

  #evicting = false;
  /** The node inserted last: the window's most recent entry, never swept out by the eviction its insert causes. */
  #newest = -1;
  /** Window entries moved to probation and not yet judged, newest first from `#candidate` (a node offset). */
  #pending = 0;
  #candidate = -1;

  /** @param capacityHint the cache's `maxEntries` (`Infinity` or 0 when unknown). */
  constructor(capacityHint: number, options: TinyLfuOptions = {}) {
    this.#seed = options.seed ?? randomSeed();
    this.#random = (this.#seed ^ 0x5bd1e995) >>> 0 || 1;
    this.#miniEntries = options.miniEntries ?? MINI_ENTRIES;
    this.#hint = Number.isFinite(capacityHint) && capacityHint > 0 ? Math.floor(capacityHint) : 0;
    this.#sketch = new FrequencySketch(this.#hint > 0 ? this.#hint : 16);
    this.#sized();
    this.#node = new Int32Array(FIRST_OFFSET);
    this.#resetLists();
    if (this.#hint > 0) this.#setMaximum(this.#hint);
  }

  grow(capacity: number): void {
    const length = (capacity + FIRST) * STRIDE;
    if (length > this.#node.length) {
      const node = new Int32Array(length);
      node.set(this.#node);
      this.#node = node;
    }
    this.#sketch.ensureCapacity(this.#hint > 0 ? Math.min(capacity, this.#hint) : capacity);
    this.#sized();
  }

  access(slot: number): void {
    const node = this.#node;
    const at = (slot + FIRST) * STRIDE;
    const state = node[at + STATE]!;
    // A reference bit for recency; the count goes to the node, so a hit touches no sketch line,
    // except for a key the tuner samples (its bit is set at insert), counted in the sketch at once.
    const read = (state & READS) === READS ? 0 : READ;
    if (state & SAMPLED) {
      this.#countSampled(node, at, node[at + HASH]!);
      node[at + STATE] = (node[at + STATE]! + read) | REFERENCED;
    } else if ((state & FREQUENCY) === FREQUENCY) node[at + STATE] = (state + read) | REFERENCED;
    else {
      node[at + STATE] = (state + HIT + read) | REFERENCED;
      if (++this.#deferred >= this.#batch) this.#sample();
    }
  }

  insert(slot: number, key: string, _expiresAt: number): void {
    const hash = hashString(key, this.#seed) | 0;
    const node = this.#node;
    const at = (slot + FIRST) * STRIDE;
    node[at + HASH] = hash;
    this.#pushTail(node, at, WINDOW_LIST);
    this.#newest = at;
    this.#size++;
    this.#pending = 0;
    this.#candidate = -1;
    if ((hash & this.#sampleMask) === 0) {
      node[at + STATE] = WINDOW | SAMPLED;
      this.#countSampled(node, at, hash);
    } else {
      // Counted in the node like a hit: the sketch's line is first read when the entry duels.
      node[at + STATE] = WINDOW | HIT;
      if (++this.#deferred >= this.#batch) this.#sample();
    }
  }

  /** Counted like a hit; the entry's reads start again from 0. */
  update(slot: number, _expiresAt: number): void {
    this.access(slot);
    const at = (slot + FIRST) * STRIDE + STATE;
    this.#node[at] = this.#node[at]! & ~READS;
  }

  remove(slot: number): void {
    const node = this.#node;
    const at = (slot + FIRST) * STRIDE;
    const state = node[at + STATE]!;
    const segment = state & SEGMENT;
    if (segment === NOWHERE) return;
    this.#unlink(node, at, segment * STRIDE);
    node[at + STATE] = NOWHERE;
    this.#size--;
    if (at === this.#candidate) {
      this.#pending = 0;
      this.#candidate = -1;
    }
    // The sketch keeps the key's history: hand it the hits counted here.
    const pending = (state & PENDING) >>> PENDING_SHIFT;
    if (pending !== 0) this.#sketch.add(node[at + HASH]!, pending);
  }

  victim(): number {
    if (this.#size === 0) return -1;
    // The entry count the cache really holds: a byte bound may bind before `capacityHint`.
    const observed = this.#size - 1;
    if (!this.#evicting) {
      this.#evicting = true;
      if (observed > 0 && observed !== this.#maximum) this.#setMaximum(observed);
    } else if (observed > this.#maximum && (this.#hint === 0 || this.#maximum < this.#hint)) {
      this.#setMaximum(this.#hint === 0 ? observed : Math.min(observed, this.#hint));
    }
    const node = this.#node;
    // Entries read while in probation move up to protected now (promotion is lazy: a hit only
    // sets the reference bit).
    this.#promote(node);
    if (node[WINDOW_LIST + LENGTH]! > this.#windowMaximum) this.#overflow(node);
    let candidate = this.#pending > 0 ? this.#candidate : this.#sweep(node, WINDOW_LIST);
    if (candidate === WINDOW_LIST) candidate = -1;
    let victim = node[PROBATION_LIST + NEXT]!;
    if (victim === PROBATION_LIST) victim = this.#sweep(node, PROTECTED_LIST);
    if (victim === PROTECTED_LIST) return (this.#windowHead(node) >> 2) - FIRST;
    if (candidate === -1 || candidate === victim) {
      this.#judged(node);
      return (victim >> 2) - FIRST;
    }
    const evictVictim = this.#admit(node, candidate, victim);
    this.#judged(node);
    return ((evictVictim ? victim : candidate) >> 2) - FIRST;
  }

  /** The entry's frequency (see `#frequency`), then the reads since it was written. */
  rank(slot: number): number {
    const at = (slot + FIRST) * STRIDE;
    return (this.#frequency(this.#node, at) << 19) + (this.#node[at + STATE]! >>> READS_SHIFT);
  }

  clear(): void {
    this.#node.fill(0);
    this.#resetLists();
    this.#sketch.clear();
    this.#deferred = 0;
    this.#tuner?.clear();
    this.#size = 0;
    this.#pending = 0;
    this.#candidate = -1;
  }

  /** The current window limit, in entries (for tests and the replay tool). */
  get windowMaximum(): number {
    return this.#windowMaximum;
  }

  /** The sketch may have been resized: at most 1/64 of its reset period is reported late. */
  #sized(): void {
    this.#batch = Math.max(1, Math.min(SAMPLE_BATCH, this.#sketch.sampleSize >>> 6));
  }

  /** Reports the deferred requests to the sketch; ages the nodes when it halved its counters. */
  #sample(): void {
    this.#sketch.sample(this.#deferred);
    this.#deferred = 0;
    if (this.#sketch.resets !== this.#resets) this.#age();
  }

  /** A request for a key the tuner samples: counted in the sketch at once (the miniatures read it). */
  #countSampled(node: Int32Array, at: number, hash: number): void {
    const sketch = this.#sketch;
    const state = node[at + STATE]!;
    const pending = (state & PENDING) >>> PENDING_SHIFT;
    // Hits counted in the node before the tuner sampled this key (its rate changed) go first.
    if (pending !== 0) sketch.add(hash, pending);
    const frequency = sketch.increment(hash);
    node[at + STATE] = (state & (SEGMENT | REFERENCED | SAMPLED | READS)) | (frequency << FREQUENCY_SHIFT);
    if (sketch.resets !== this.#resets) this.#age();
    if (this.#tuner?.record(hash)) this.#retune();
  }

  /**
   * The sketch halved its counters: halve the nodes' counts alike. A node's frequency is the
   * sketch's estimate when they last synchronised plus its pending count, which stays pending.
   */
  #age(): void {
    this.#resets = this.#sketch.resets;
    const node = this.#node;
    for (let at = FIRST_OFFSET + STATE; at < node.length; at += STRIDE) {
      const state = node[at]!;
      if ((state & SEGMENT) === NOWHERE) continue;
      const frequency = (state & FREQUENCY) >>> FREQUENCY_SHIFT;
      const pending = (state & PENDING) >>> PENDING_SHIFT;
      const halved = frequency >>> 1;
      const synchronised = (frequency - pending) >>> 1;
      node[at] =
        (state & (SEGMENT | REFERENCED | SAMPLED | READS)) |
        (halved << FREQUENCY_SHIFT) |
        ((halved - synchronised) << PENDING_SHIFT);
    }
  }

  /**
   * The window's overflow becomes the candidates, at probation's tail (CLOCK order: an entry read
   * while in the window gets a second chance at its tail instead). A method of its own, so that
   * V8's on-the-spot compilation of this loop at the first eviction does not deoptimize `victim`
   * (docs/memory-policies.md).
   */
  #overflow(node: Int32Array): void {
    while (node[WINDOW_LIST + LENGTH]! > this.#windowMaximum) {
      this.#windowHead(node);
      const at = this.#shift(node, WINDOW_LIST, PROBATION_LIST, PROBATION);
      this.#pending++;
      this.#candidate = at;
    }
  }

  /**
   * Sweeps the window (CLOCK) and returns its head, never the entry inserted last while the
   * window holds another (when the sweep moved every older, read entry behind it): a write never
   * evicts its own entry through the window.
   */
  #windowHead(node: Int32Array): number {
    const at = this.#sweep(node, WINDOW_LIST);
    if (at !== this.#newest || node[WINDOW_LIST + LENGTH]! < 2) return at;
    this.#unlink(node, at, WINDOW_LIST);
    this.#pushTail(node, at, WINDOW_LIST);
    return this.#sweep(node, WINDOW_LIST);
  }

  /** Moves the candidate pointer past the candidate just judged. */
  #judged(node: Int32Array): void {
    if (this.#pending === 0) return;
    const previous = node[this.#candidate + PREV]!;
    if (--this.#pending > 0 && previous >= FIRST_OFFSET) this.#candidate = previous;
    else {
      this.#pending = 0;
      this.#candidate = -1;
    }
  }

  /**
   * True when the candidate at `candidate` should be admitted (the victim at `victim` evicted). A
   * warm candidate that loses still gets in with probability 1/128: an attacker flooding keys whose
   * hashes collide with a hot victim's cannot pin it (keys are also hashed with a per-instance seed).
   */
  #admit(node: Int32Array, candidate: number, victim: number): boolean {
    const victimFrequency = this.#frequency(node, victim);
    const candidateFrequency = this.#frequency(node, candidate);
    if (candidateFrequency > victimFrequency) return true;
    if (candidateFrequency >= ADMIT_HASHDOS_THRESHOLD) {
      this.#random = xorshift32(this.#random);
      return (this.#random & 127) === 0;
    }
    return false;
  }

  /** The sketch's estimate plus the hits the node counted that the sketch has not heard of yet, at most 15. */
  #frequency(node: Int32Array, at: number): number {
    return Math.min(
      15,
      this.#sketch.frequency(node[at + HASH]!) + ((node[at + STATE]! & PENDING) >>> PENDING_SHIFT),
    );
  }

  /**
   * Promotes probation's least recent entries that were read since they got there to protected's
   * tail (protected's overflow goes back to probation), until probation's head was not read.
   * A promotion may move a pending candidate: the candidates are then judged no further.
   */
  #promote(node: Int32Array): void {
    let at = node[PROBATION_LIST + NEXT]!;
    if (at === PROBATION_LIST || (node[at + STATE]! & REFERENCED) === 0) return;
    do {
      this.#unlink(node, at, PROBATION_LIST);
      this.#pushTail(node, at, PROTECTED_LIST);
      node[at + STATE] = (node[at + STATE]! & ~(SEGMENT | REFERENCED)) | PROTECTED;
      this.#demote(node);
      at = node[PROBATION_LIST + NEXT]!;
    } while (at !== PROBATION_LIST && (node[at + STATE]! & REFERENCED) !== 0);
    this.#pending = 0;
    this.#candidate = -1;
  }

  /**
   * The least recent entry of the list at `list` not read since the policy last looked (CLOCK:
   * read entries at the head lose their reference bit and move to the tail); `list` when empty.
   */
  #sweep(node: Int32Array, list: number): number {
    for (;;) {
      const at = node[list + NEXT]!;
      if (at === list) return list;
      const state = node[at + STATE]!;
      if ((state & REFERENCED) === 0) return at;
      node[at + STATE] = state & ~REFERENCED;
      this.#unlink(node, at, list);
      this.#pushTail(node, at, list);
    }
  }

  /** Takes the node at `at` out of the list whose sentinel is at `list`. */
  #unlink(node: Int32Array, at: number, list: number): void {
    const prev = node[at + PREV]!;
    const next = node[at + NEXT]!;
    node[prev + NEXT] = next;
    node[next + PREV] = prev;
    node[list + LENGTH] = node[list + LENGTH]! - 1;
  }

  /** Appends the node at `at` to the list whose sentinel is at `list` (the caller sets its segment). */
  #pushTail(node: Int32Array, at: number, list: number): void {
    const tail = node[list + PREV]!;
    node[at + PREV] = tail;
    node[at + NEXT] = list;
    node[tail + NEXT] = at;
    node[list + PREV] = at;
    node[list + LENGTH] = node[list + LENGTH]! + 1;
  }

  /** Moves the head of list `from` to the tail of list `to` (segment `segment`); -1 when `from` is empty. */
  #shift(node: Int32Array, from: number, to: number, segment: number): number {
    const at = node[from + NEXT]!;
    if (at === from) return -1;
    this.#unlink(node, at, from);
    this.#pushTail(node, at, to);
    node[at + STATE] = (node[at + STATE]! & ~SEGMENT) | segment;
    return at;
  }

  /** Empty lists: each sentinel linked to itself. */
  #resetLists(): void {
    const node = this.#node;
    for (let list = WINDOW_LIST; list <= PROTECTED_LIST; list += STRIDE) {
      node[list + PREV] = list;
      node[list + NEXT] = list;
      node[list + LENGTH] = 0;
    }
  }

  /** Moves protected's overflow to probation's tail. */
  #demote(node: Int32Array): void {
    while (node[PROTECTED_LIST + LENGTH]! > this.#protectedMaximum) {
      this.#sweep(node, PROTECTED_LIST);
      this.#shift(node, PROTECTED_LIST, PROBATION_LIST, PROBATION);
    }
  }

  #setMaximum(maximum: number): void {
    const previous = this.#maximum;
    this.#maximum = maximum;
    this.#setWindow(windowLimit(maximum, previous, this.#windowMaximum));
    this.#sketch.ensureCapacity(maximum);
    this.#sized();
    this.#tuner = WindowTuner.sizedFor(this.#tuner, maximum, this.#sketch, this.#miniEntries);
    if (this.#tuner.sampleMask !== this.#sampleMask) {
      this.#sampleMask = this.#tuner.sampleMask;
      this.#markSampled();
    }
    this.#demote(this.#node);
  }

  /** Sets the window's limit; protected keeps 80% of the rest. */
  #setWindow(window: number): void {
    this.#windowMaximum = window;
    this.#protectedMaximum = Math.floor(PERCENT_MAIN_PROTECTED * (this.#maximum - window));
  }

  /** Sets the SAMPLED bit of every entry from its hash and the current sample mask. */
  #markSampled(): void {
    const node = this.#node;
    const mask = this.#sampleMask;
    for (let at = FIRST_OFFSET; at < node.length; at += STRIDE) {
      const state = node[at + STATE]!;
      if ((state & SEGMENT) === NOWHERE) continue;
      node[at + STATE] = (node[at + HASH]! & mask) === 0 ? state | SAMPLED : state & ~SAMPLED;
    }
  }

  /** Moves the window toward the share the tuner now favours. */
  #retune(): void {
    const maximum = this.#maximum;
    const next = Math.max(1, Math.min(maximum, Math.round(this.#tuner!.target * maximum)));
    const current = this.#windowMaximum;
    if (next === current) return;
    this.#setWindow(next);
    const node = this.#node;
    if (next > current) {
      this.#demote(node);
      // Refill the window from main, oldest first, so it is full at once.
      for (let moved = current; moved < next; moved++) {
        if (
          this.#shift(node, PROBATION_LIST, WINDOW_LIST, WINDOW) === -1 &&
          this.#shift(node, PROTECTED_LIST, WINDOW_LIST, WINDOW) === -1
        ) {
          break;
        }
      }
    } else if (this.#evicting) {
      // The window's oldest go to probation, to be judged. Before the first eviction the window
      // keeps everything, as while the cache fills.
      while (node[WINDOW_LIST + LENGTH]! > next) this.#shift(node, WINDOW_LIST, PROBATION_LIST, PROBATION);
    }
    this.#pending = 0;
    this.#candidate = -1;
  }
}
