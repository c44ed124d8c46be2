/**
 * The one Redis connection a gateway process opens, tuned for a gateway that must answer even when Redis
 * does not: a failed command is never replayed on the next connection behind the caller's back.
 *
 * Commands have no ioredis `commandTimeout`: every command the gateway sends is bounded by `withDeadline`
 * (`deadline.ts`), which waits for answers already in the socket. ioredis's own timer would fail a command
 * answered while this process was stalled past the timeout, and Redis would count as unreachable.
 */
import { Redis } from 'ioredis';

/** Reconnection backs off linearly to this ceiling, so Redis's return is noticed within about a second. */
const MAX_RECONNECT_DELAY_MS = 1_000;

/** `ca`: the PEM of the CA behind a `rediss://` server's certificate (Memorystore's own CA). */
export function createRedisClient(url: string, timeoutMs: number, ca?: string): Redis {
  return new Redis(url, {
    ...(ca !== undefined && url.startsWith('rediss://') ? { tls: { ca } } : {}),
    // While disconnected, fail at once (local state takes over) instead of queueing for a reconnect.
    enableOfflineQueue: false,
    // Commands in flight when the connection drops fail now rather than wait for the next connection...
    maxRetriesPerRequest: 0,
    // ...and are not sent again: the caller has already been served from local state.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    // How long a closing connection may take before it is destroyed; ioredis's timer for it keeps the
    // process alive (2 s by default), even when the socket had already failed.
    disconnectTimeout: timeoutMs,
  });
}
