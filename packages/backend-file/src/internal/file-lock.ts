/**
 * The cross-process lock of `getOrSet({ lock: true })`: a lock file created only if absent
 * (written to a temp file, then `link`ed into place: an atomic create-if-absent like `O_EXCL`,
 * and nobody ever sees a half-written lock). It holds JSON `{ pid, host, token, expiresAt }`.
 * A lock is stale when its lease has run out, when its owner is a dead process on this host,
 * or when it cannot be parsed and is older than a lease. A busy lock is tried again as the core's
 * `waitForLock` paces it, pausing at most `lockPollInterval` between tries. Leases and waits use
 * real time. A stale lock and a released one are removed with `FileStore.removeExact`: only the
 * lock file that was read goes, never one that another owner has taken since.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { waitForLock } from '@cache/core/backend';
import { errno } from './fs-layer.js';
import type { FileStore } from './file-store.js';

interface LockBody {
  pid: number;
  host: string;
  token: string;
  expiresAt: number;
}

const HOST = hostname();
const UNPARSABLE_GRACE_MS = 30_000;

function parse(bytes: Buffer): LockBody | undefined {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as Partial<LockBody>;
    if (
      typeof body.token === 'string' &&
      typeof body.expiresAt === 'number' &&
      typeof body.pid === 'number'
    ) {
      return body as LockBody;
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** Whether a process with this pid is alive on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

function isStale(body: LockBody | undefined, ctimeMs: number, now: number): boolean {
  if (body === undefined) return now - ctimeMs > UNPARSABLE_GRACE_MS;
  if (body.expiresAt <= now) return true;
  return body.host === HOST && body.pid !== process.pid && !alive(body.pid);
}

/**
 * Takes the lock at `path`, waiting at most `wait` ms, with pauses of at most `maxPoll` ms between
 * tries. Returns the release, or `undefined` when the wait ran out.
 */
export function acquireFileLock(
  store: FileStore,
  path: string,
  temp: () => string,
  lease: number,
  wait: number,
  maxPoll: number,
): Promise<(() => Promise<void>) | undefined> {
  const token = randomBytes(12).toString('hex');
  const release = () => releaseFileLock(store, path, token);
  return waitForLock(() => tryFileLock(store, path, temp, lease, token, release), {
    wait,
    maxDelay: maxPoll,
  });
}

/**
 * One try: creates the lock file, or removes a stale one and tries again at once. `undefined`
 * while another owner holds the lock.
 */
async function tryFileLock(
  store: FileStore,
  path: string,
  temp: () => string,
  lease: number,
  token: string,
  release: () => Promise<void>,
): Promise<(() => Promise<void>) | undefined> {
  for (;;) {
    const body: LockBody = { pid: process.pid, host: HOST, token, expiresAt: Date.now() + lease };
    if (await store.write(path, temp(), Buffer.from(JSON.stringify(body)), true)) return release;
    const held = await store.read(path);
    if (held === undefined) continue;
    const holder = parse(held.bytes);
    const stats = holder === undefined ? await store.fs.lstat(path).catch(() => undefined) : undefined;
    if (!isStale(holder, stats?.ctimeMs ?? Date.now(), Date.now())) return undefined;
    // Only the lock that was judged stale is removed (compare-and-delete of its exact bytes):
    // a lock that a new owner took meanwhile stays.
    await store.removeExact(path, held, `${path}.${token}.stale`);
  }
}

async function releaseFileLock(store: FileStore, path: string, token: string): Promise<void> {
  const held = await store.read(path);
  if (held === undefined || parse(held.bytes)?.token !== token) return;
  await store.removeExact(path, held, `${path}.${token}.release`);
}
