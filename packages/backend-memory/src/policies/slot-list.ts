/**
 * Doubly linked lists of slots kept in typed arrays (internal). Several lists may share one
 * {@link SlotLinks} because a slot belongs to at most one list at a time. Nothing here allocates
 * except `grow`. Fields are public on purpose: these are hot-path data structures used only by
 * the policies in this folder.
 */

/** The `prev`/`next` arrays shared by the lists of one policy; `-1` is "none". */
export class SlotLinks {
  prev: Int32Array = new Int32Array(0);
  next: Int32Array = new Int32Array(0);

  /** Makes slots below `capacity` valid, keeping the links of existing slots. */
  grow(capacity: number): void {
    if (capacity <= this.prev.length) return;
    const prev = new Int32Array(capacity);
    const next = new Int32Array(capacity);
    prev.set(this.prev);
    next.set(this.next);
    this.prev = prev;
    this.next = next;
  }
}

/** One list: `head` is the oldest (or least recent) end, `tail` the newest. */
export class SlotList {
  head = -1;
  tail = -1;
  size = 0;
  readonly links: SlotLinks;

  constructor(links: SlotLinks) {
    this.links = links;
  }

  /** Appends `slot` at the tail (newest end). */
  pushTail(slot: number): void {
    const links = this.links;
    links.prev[slot] = this.tail;
    links.next[slot] = -1;
    if (this.tail === -1) this.head = slot;
    else links.next[this.tail] = slot;
    this.tail = slot;
    this.size++;
  }

  /** Prepends `slot` at the head (oldest end). */
  pushHead(slot: number): void {
    const links = this.links;
    links.next[slot] = this.head;
    links.prev[slot] = -1;
    if (this.head === -1) this.tail = slot;
    else links.prev[this.head] = slot;
    this.head = slot;
    this.size++;
  }

  /** Takes `slot` out of this list (it must be in it). */
  unlink(slot: number): void {
    const links = this.links;
    const prev = links.prev[slot]!;
    const next = links.next[slot]!;
    if (prev === -1) this.head = next;
    else links.next[prev] = next;
    if (next === -1) this.tail = prev;
    else links.prev[next] = prev;
    this.size--;
  }

  /** Moves `slot` (already in this list) to the tail. */
  moveToTail(slot: number): void {
    if (slot === this.tail) return;
    this.unlink(slot);
    this.pushTail(slot);
  }

  /** Empties the list (the links of its former slots are left as garbage). */
  clear(): void {
    this.head = -1;
    this.tail = -1;
    this.size = 0;
  }
}

/** Grows a typed array to `capacity`, keeping its contents; returns the same array when large enough. */
export function growArray<T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(
  array: T,
  capacity: number,
  make: (length: number) => T,
): T {
  if (capacity <= array.length) return array;
  const grown = make(capacity);
  grown.set(array);
  return grown;
}
