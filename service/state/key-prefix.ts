/**
 * What the gateway puts before every key it writes to Redis (`REDIS_KEY_PREFIX`), so several gateways or
 * environments can share one Redis without sharing limits, budgets or answers. A module of its own, so the
 * configuration can name the default without loading the Redis client.
 */
export const DEFAULT_KEY_PREFIX = 'gw:';
