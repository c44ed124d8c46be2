/** State on Redis, with this replica's memory standing in while Redis is unreachable (see `resilient.ts`). */
import { MemoryAdmissionStore } from './memory-admission';
import type { MemoryCacheStore } from './memory-cache';
import { withDeadline } from './deadline';
import { RedisReachability } from './reachability';
import { RedisAdmissionStore } from './redis-admission';
import { createRedisClient } from './redis-client';
import { ResilientAdmissionStore } from './resilient';
import type { State, StateOptions } from './create';

export function createRedisState(options: StateOptions, redisUrl: string, memoryCache: MemoryCacheStore): State {
  const timeoutMs = options.redisTimeoutMs;
  const client = createRedisClient(redisUrl, timeoutMs, options.redisCa);
  // Redis reachable again: the store made below pays back the spend it owes Redis (see resilient.ts).
  let payBack = (): void => undefined;
  const reachability = new RedisReachability(client, {
    logger: options.logger,
    failureMode: options.failureMode,
    timeoutMs,
    onReachability: (reachable) => {
      options.onReachability?.(reachable);
      if (reachable) payBack();
    },
  });
  const keyOptions = options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix };
  const admission = new ResilientAdmissionStore({
    redis: new RedisAdmissionStore(client, keyOptions),
    memory: new MemoryAdmissionStore(memoryCache),
    reachability,
    failureMode: options.failureMode,
    timeoutMs,
  });
  payBack = () => void admission.payBack();
  return {
    admission,
    health: {
      backend: 'redis',
      degraded: () => reachability.degraded(),
      // `open`: serving from local state is still serving, so a replica stays in rotation while Redis is
      // away (taking every replica out at once would turn a Redis outage into a full one). `closed`: the
      // replica refuses what needs shared state, so it is ready only while Redis answers.
      ready: () => (options.failureMode === 'open' ? Promise.resolve(true) : reachability.answersPing()),
      close: async () => {
        // What an outage spent is not lost with this replica (a scale-in, a deployment): one last try.
        await admission.payBackAll();
        reachability.close();
        // QUIT within the timeout, as any command; a Redis that does not answer it has its connection dropped.
        await withDeadline(client.quit(), timeoutMs).catch(() => client.disconnect());
      },
    },
  };
}
