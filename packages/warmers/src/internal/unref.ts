/** Lets the process exit while the timer is pending, when the handle supports it (Node's do). */
export function unref(handle: unknown): void {
  if (handle !== null && typeof handle === 'object' && 'unref' in handle) {
    const method = (handle as { unref?: unknown }).unref;
    if (typeof method === 'function') method.call(handle);
  }
}
