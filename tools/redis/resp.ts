// A minimal RESP2 client over node:net for the launcher: one connection per command, used only to
// PING servers and read CLUSTER INFO / SENTINEL replies while setting up test servers. Bulk strings
// are decoded as UTF-8; error replies nested in arrays come back as `RespError` values.
import { createConnection } from 'node:net';

/** An error reply (`-ERR ...`) from the server. */
export class RespError extends Error {
  override readonly name = 'RespError';
}

/** A decoded RESP2 reply. */
export type RespReply = string | number | null | RespError | RespReply[];

/** Options for {@link redisCommand}. */
export interface RedisCommandOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** Time for connecting, writing and reading the whole reply. @default 2000 */
  timeoutMs?: number;
}

/** Sends one command on a fresh connection and resolves with its reply; an error reply rejects. */
export function redisCommand(
  port: number,
  args: readonly (string | number)[],
  options: RedisCommandOptions = {},
): Promise<RespReply> {
  const { host = '127.0.0.1', timeoutMs = 2000 } = options;
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    let settled = false;
    const socket = createConnection({ host, port });
    const finish = (error: Error | undefined, reply?: RespReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else if (reply instanceof RespError) reject(reply);
      else resolve(reply ?? null);
    };
    const timer = setTimeout(
      () => finish(new Error(`redis ${host}:${port} did not answer ${String(args[0])} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`redis ${host}:${port} closed the connection`)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        const parsed = parseReply(buffer, 0);
        if (parsed) finish(undefined, parsed.value);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.write(encodeCommand(args));
  });
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply starting at `start`; `undefined` when the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, start: number): { value: RespReply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const type = buffer[start];
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case 0x2b: // +
      return { value: line, end: after };
    case 0x2d: // -
      return { value: new RespError(line), end: after };
    case 0x3a: // :
      return { value: Number(line), end: after };
    case 0x24: {
      // $
      const length = Number(line);
      if (length < 0) return { value: null, end: after };
      if (buffer.length < after + length + 2) return undefined;
      return { value: buffer.toString('utf8', after, after + length), end: after + length + 2 };
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return { value: null, end: after };
      const items: RespReply[] = [];
      let position = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, position);
        if (!item) return undefined;
        items.push(item.value);
        position = item.end;
      }
      return { value: items, end: position };
    }
    default:
      throw new Error(`unexpected RESP type byte ${String(type)}`);
  }
}

/** Parses `INFO`/`CLUSTER INFO` text (`key:value` lines) into a map. */
export function parseInfo(text: string): Map<string, string> {
  const info = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) info.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return info;
}

/** Turns a flat `[k1, v1, k2, v2]` reply (SENTINEL MASTER/REPLICAS) into a map. */
export function pairsToMap(reply: RespReply): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
  return map;
}
