/**
 * Builds the state the pipeline uses: in-process memory when no Redis URL is set, otherwise Redis with
 * this replica's memory standing in while Redis is unreachable (see `resilient.ts`).
 */
import type { Logger } from 'pino';
import { MemoryAdmissionStore } from './memory-admission';
import { MemoryCacheStore } from './memory-cache';
import { RedisReachability, type FailureMode } from './reachability';
import { RedisAdmissionStore } from './redis-admission';
import { createRedisClient } from './redis-client';
import { ResilientAdmissionStore } from './resilient';
import type { AdmissionStore, StateHealth } from './types';

const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

export interface StateOptions {
  /** `redis://` or `rediss://`; unset: everything in this process's memory. */
  redisUrl?: string;
  /** PEM of the CA that signed a `rediss://` server's certificate. */
  redisCa?: string;
  failureMode: FailureMode;
  /** A Redis command slower than this counts as Redis being unreachable. */
  redisTimeoutMs: number;
  logger: Logger;
  /** Called with Redis's first known reachability, then on each change (never in memory mode). */
  onReachability?: (reachable: boolean) => void;
  /** Bound of the in-process cache (the whole cache in memory mode, the stand-in in Redis mode). */
  cacheMaxBytes?: number;
  /** Before every Redis key; default `gw:`. */
  keyPrefix?: string;
}

export interface State {
  /** Limits, budgets and the answer cache (see `AdmissionStore`). */
  admission: AdmissionStore;
  health: StateHealth;
}

export function createState(options: StateOptions): State {
  const memoryCache = new MemoryCacheStore({ maxBytes: options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES });
  if (options.redisUrl === undefined) {
    return {
      admission: new MemoryAdmissionStore(memoryCache),
      health: { backend: 'memory', degraded: () => false, ready: () => Promise.resolve(true), close: () => Promise.resolve() },
    };
  }

  const timeoutMs = options.redisTimeoutMs;
  const client = createRedisClient(options.redisUrl, timeoutMs, options.redisCa);
  const reachability = new RedisReachability(client, {
    logger: options.logger,
    failureMode: options.failureMode,
    timeoutMs,
    ...(options.onReachability && { onReachability: options.onReachability }),
  });
  const keyOptions = options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix };
  const common = { reachability, failureMode: options.failureMode, timeoutMs };
  return {
    admission: new ResilientAdmissionStore({ redis: new RedisAdmissionStore(client, keyOptions), memory: new MemoryAdmissionStore(memoryCache), ...common }),
    health: {
      backend: 'redis',
      degraded: () => reachability.degraded(),
      // `open`: serving from local state is still serving, so a replica stays in rotation while Redis is
      // away (taking every replica out at once would turn a Redis outage into a full one). `closed`: the
      // replica refuses what needs shared state, so it is ready only while Redis answers.
      ready: () => (options.failureMode === 'open' ? Promise.resolve(true) : reachability.answersPing()),
      close: async () => {
        reachability.close();
        await client.quit().catch(() => client.disconnect());
      },
    },
  };
}
