/**
 * The shape tree of msgpack's one-pass encoder: each path from the root spells the keys of an
 * object, in order; a node remembers the record id its shape has in the message being written.
 */

/** A node of the shape tree: the path from the root spells an object's keys, in order. */
export interface Shape {
  /** The first child made, looked up without hashing (most nodes have one child). */
  firstKey: string | undefined;
  first: Shape | undefined;
  /** The other children. */
  next: Map<string, Shape> | undefined;
  /** Record id in the message being written, valid while `message` is the current one. */
  id: number;
  message: number;
  /** The keys of this shape once they have been checked for lone surrogates. */
  keys: readonly string[] | undefined;
}

export const newShape = (): Shape => ({
  firstKey: undefined,
  first: undefined,
  next: undefined,
  id: 0,
  message: 0,
  keys: undefined,
});
