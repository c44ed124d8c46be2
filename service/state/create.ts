/**
 * Builds the state the pipeline uses: in-process memory when no Redis URL is set, otherwise Redis with
 * this replica's memory standing in while Redis is unreachable (see `resilient.ts`).
 */
import type { Logger } from 'pino';
import { MemoryAdmissionStore } from './memory-admission';
import { MemoryCacheStore } from './memory-cache';
import type { FailureMode } from './reachability';
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

export async function createState(options: StateOptions): Promise<State> {
  const memoryCache = new MemoryCacheStore({ maxBytes: options.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES });
  if (options.redisUrl === undefined) {
    return {
      admission: new MemoryAdmissionStore(memoryCache),
      health: { backend: 'memory', degraded: () => false, ready: () => Promise.resolve(true), close: () => Promise.resolve() },
    };
  }

  // Loaded only with a Redis URL: a gateway on memory state never holds the Redis client's code.
  const { createRedisState } = await import('./create-redis');
  return createRedisState(options, options.redisUrl, memoryCache);
}
