/**
 * `TimedRedis`: the ioredis client that a cache creates for one server or a Sentinel-managed
 * master, with `commandTimeout` enforced by one shared timer instead of ioredis' timer per command.
 *
 * Every command that goes through `sendCommand` (the cache's own, pipelines, scripts, ioredis'
 * handshake, and anything sent on `cache.client`) is queued with its deadline. The commands of one
 * connection are answered in the order they are sent and they all get the same timeout, so the
 * deadlines are in order too: the oldest unanswered command is the first to expire, and one timer
 * armed for it is enough. When it fires, the commands past their deadline are rejected with the
 * same error ioredis' own timeout gives (`Command timed out`), and the timer is armed again for the
 * next one. Answered commands are dropped from the head of the queue as new ones arrive.
 */
import { type Command, Redis, type RedisOptions } from 'ioredis';

/** Client options with ioredis' `legacy` reply mapping (the shape the cache reads replies in). */
export type LegacyRedisOptions = Omit<RedisOptions, 'replyMapping'> & { replyMapping: 'legacy' };

/** The error ioredis rejects a command with when its `commandTimeout` runs out. */
const TIMED_OUT = 'Command timed out';
/** Past this many dropped slots at the head, the queue's arrays are compacted. */
const COMPACT_AT = 1024;

/**
 * Whether a command has its answer: ioredis 6's `isSettled`; ioredis 5 has only `isResolved` (a
 * rejected command stays in the queue until its deadline, when rejecting it again does nothing).
 */
function settled(command: Command): boolean {
  return (command as { isSettled?: boolean }).isSettled ?? command.isResolved;
}

/** The commands in flight with their deadlines, oldest first. */
export class CommandDeadlines {
  readonly #timeout: number;
  #commands: (Command | undefined)[] = [];
  #deadlines: number[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #onTimer = (): void => this.#expire();

  /** @param timeout The longest wait for a command's reply, in ms. */
  constructor(timeout: number) {
    this.#timeout = timeout;
  }

  /** How many commands are queued (answered ones at the head may still count until the next `track`). */
  get size(): number {
    return this.#commands.length - this.#head;
  }

  /** Starts the clock of a command being sent. A command sent again (after a reconnect) keeps its first deadline. */
  track(command: Command): void {
    const commands = this.#commands;
    let head = this.#head;
    // Answered commands leave from the head: with one command at a time the queue stays at one.
    while (head < commands.length && settled(commands[head] as Command)) commands[head++] = undefined;
    if (head === commands.length) {
      commands.length = 0;
      this.#deadlines.length = 0;
      head = 0;
    } else if (head >= COMPACT_AT) {
      this.#commands = commands.slice(head);
      this.#deadlines = this.#deadlines.slice(head);
      head = 0;
    }
    this.#head = head;
    this.#commands.push(command);
    this.#deadlines.push(performance.now() + this.#timeout);
    if (this.#timer === undefined) this.#arm(this.#timeout);
  }

  /** Stops the timer (the commands still queued are left to the client's disconnect). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#commands = [];
    this.#deadlines = [];
    this.#head = 0;
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(delay)));
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = undefined;
    const commands = this.#commands;
    const deadlines = this.#deadlines;
    const now = performance.now();
    let head = this.#head;
    while (head < commands.length) {
      const command = commands[head] as Command;
      if (!settled(command)) {
        if ((deadlines[head] as number) > now) break;
        command.reject(new Error(TIMED_OUT));
      }
      commands[head++] = undefined;
    }
    if (head === commands.length) {
      this.#commands = [];
      this.#deadlines = [];
      this.#head = 0;
      return;
    }
    this.#head = head;
    this.#arm((deadlines[head] as number) - now);
  }
}

/**
 * An ioredis `Redis` whose commands time out after `commandTimeout` ms through a shared
 * {@link CommandDeadlines}. ioredis' own `commandTimeout` must not be set as well.
 */
export class TimedRedis extends Redis {
  /** The commands in flight and their deadlines. */
  readonly deadlines: CommandDeadlines;

  constructor(commandTimeout: number, url: string | undefined, options: LegacyRedisOptions) {
    if (url === undefined) super(options);
    else super(url, options);
    this.deadlines = new CommandDeadlines(commandTimeout);
    this.once('end', () => this.deadlines.stop());
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // ioredis' constructor may send before `deadlines` exists (it connects lazily, so it does not).
    this.deadlines?.track(command);
    return super.sendCommand(command, stream);
  }
}
