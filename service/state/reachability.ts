/**
 * Whether Redis answers, as the resilient stores need to know it: one warning when it stops answering, one
 * info line when it answers again, and a callback on each change (the gateway turns it into a metric).
 *
 * Redis counts as unreachable when the connection closes, when a command fails or exceeds the timeout, or
 * when the first connection is not made within the timeout. It counts as reachable again when ioredis has
 * reconnected (`ready`) or, for a server that stalled without dropping the connection, when a PING sent
 * while unreachable is answered.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { expireAfter, withDeadline } from './deadline';

/** When Redis is unreachable: `open` serves from this replica's memory, `closed` refuses (503). */
export type FailureMode = 'open' | 'closed';

export interface ReachabilityOptions {
  logger: Logger;
  failureMode: FailureMode;
  /** How long a command (and the first connection) may take before Redis counts as unreachable. */
  timeoutMs: number;
  /** Called with the first known state, then on every change. */
  onReachability?: (reachable: boolean) => void;
}

/** What the resilient stores ask of a reachability tracker. */
export interface Reachability {
  /** Whether the next command should go to Redis; until the first connection attempt ends, waits for it (at most the timeout). */
  useRedis(): Promise<boolean>;
  /** A command failed or exceeded the deadline. */
  reportFailure(error: unknown): void;
}

/** A Redis error's message for a log line: its first line, bounded. ioredis's messages name no password. */
function redisErrorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.slice(0, 200);
}

/** How often to PING while unreachable but still connected: how soon a stalled server's return is noticed. */
const PROBE_INTERVAL_MS = 1_000;

export class RedisReachability implements Reachability {
  /** Unknown until the first connection attempt succeeds, fails or outlasts the timeout. */
  private reachable: boolean | undefined;
  private unreachableSinceMs = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  /** The connection's last error since it was last ready. */
  private lastError: unknown;
  private readonly firstOutcome: Promise<void>;
  private resolveFirstOutcome: () => void = () => undefined;

  constructor(
    private readonly client: Redis,
    private readonly options: ReachabilityOptions,
  ) {
    this.firstOutcome = new Promise((resolve) => (this.resolveFirstOutcome = resolve));
    client.on('ready', () => {
      this.lastError = undefined;
      this.markReachable();
    });
    client.on('close', () => this.markUnreachable(this.withLastError('connection closed')));
    // ioredis reports why a connection failed or closed here, just before 'close' (or, for a handshake that
    // never ends, instead of it): a refused connection, a wrong password, a certificate it does not trust.
    // Kept for the warning, so an operator reads the cause rather than "connection closed".
    client.on('error', (error: unknown) => (this.lastError = error));
    if (client.status === 'ready') this.markReachable();
    else {
      expireAfter(
        options.timeoutMs,
        () => {
          if (this.reachable === undefined) this.markUnreachable(this.withLastError(`no connection within ${options.timeoutMs} ms`));
        },
        { unref: true },
      );
    }
  }

  async useRedis(): Promise<boolean> {
    if (this.reachable === undefined) await this.firstOutcome;
    return this.reachable === true;
  }

  reportFailure(error: unknown): void {
    this.markUnreachable(redisErrorText(error));
  }

  /** True while Redis is known to be unreachable. */
  degraded(): boolean {
    return this.reachable === false;
  }

  /** Asks Redis now (PING within the timeout) and records the answer. */
  async answersPing(): Promise<boolean> {
    try {
      await withDeadline(this.client.ping(), this.options.timeoutMs);
      this.markReachable();
      return true;
    } catch (error) {
      this.reportFailure(error);
      return false;
    }
  }

  /** Stops probing and reporting: the connection is being closed on purpose. */
  close(): void {
    this.closed = true;
    this.stopProbing();
    this.resolveFirstOutcome();
  }

  /** `what` happened, and the connection's last error if it had one, e.g. `connection closed (WRONGPASS …)`. */
  private withLastError(what: string): string {
    return this.lastError === undefined ? what : `${what} (${redisErrorText(this.lastError)})`;
  }

  private markUnreachable(reason: string): void {
    if (this.closed || this.reachable === false) return;
    this.reachable = false;
    this.unreachableSinceMs = Date.now();
    this.resolveFirstOutcome();
    const consequence = this.options.failureMode === 'open' ? 'serving limits, budgets and cache from this replica' : 'refusing requests that need shared limits';
    this.options.logger.warn({ backend: 'redis', reason, failureMode: this.options.failureMode }, `Redis is unreachable: ${consequence}`);
    this.options.onReachability?.(false);
    this.startProbing();
  }

  private markReachable(): void {
    if (this.closed || this.reachable === true) return;
    const recovered = this.reachable === false;
    this.reachable = true;
    this.resolveFirstOutcome();
    this.stopProbing();
    if (recovered) this.options.logger.info({ backend: 'redis', unreachableMs: Date.now() - this.unreachableSinceMs }, 'Redis is reachable again: shared limits restored');
    this.options.onReachability?.(true);
  }

  private startProbing(): void {
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private stopProbing(): void {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** While disconnected, ioredis's own reconnection reports back (`ready`); a connected but silent server needs asking. */
  private async probe(): Promise<void> {
    if (this.probing || this.client.status !== 'ready') return;
    this.probing = true;
    try {
      await withDeadline(this.client.ping(), this.options.timeoutMs);
      this.markReachable();
    } catch {
      // Still unreachable, as already recorded; a failed probe is not news.
    } finally {
      this.probing = false;
    }
  }
}
