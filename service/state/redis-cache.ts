/** The answer cache in Redis, shared by every replica: one GET per lookup, one SET with PX per store. */
import type { Redis } from 'ioredis';
import { DEFAULT_KEY_PREFIX } from './redis-client';
import type { CacheStore } from './types';

export interface RedisCacheOptions {
  /** Put before every key (followed by `cache:`), so several gateways can share one Redis. */
  keyPrefix?: string;
}

export class RedisCacheStore implements CacheStore {
  private readonly keyPrefix: string;

  constructor(
    private readonly client: Redis,
    options: RedisCacheOptions = {},
  ) {
    this.keyPrefix = `${options.keyPrefix ?? DEFAULT_KEY_PREFIX}cache:`;
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.client.getBuffer(this.keyPrefix + key)) ?? undefined;
  }

  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    // A TTL of 0 or less means "do not cache", as in the memory cache; PX takes whole milliseconds.
    if (!(ttlMs > 0)) return;
    await this.client.set(this.keyPrefix + key, value, 'PX', Math.ceil(ttlMs));
  }
}
