/** The answer caches: the memory one bounded by bytes and by each entry's TTL, the Redis one with GET / SET PX. */
import type { Redis } from 'ioredis';
import { MemoryCacheStore } from '../../service/state/memory-cache';
import { RedisCacheStore } from '../../service/state/redis-cache';
import { startRedis, type RedisServer } from '../support/redis';
import { closeClients, connectedClient, freshPrefix } from './redis-clients';

/** `length` bytes of one value: with a one-byte key, an entry weighs `length + 1`. */
function bytes(length: number, fill = 0x61): Buffer {
  return Buffer.alloc(length, fill);
}

describe('memory cache', () => {
  test('past its byte bound it evicts the least recently used entries first', async () => {
    const cache = new MemoryCacheStore({ maxBytes: 100 });
    await cache.set('a', bytes(30), 60_000);
    await cache.set('b', bytes(30), 60_000);
    await cache.set('c', bytes(30), 60_000);
    await cache.get('a'); // now b is the least recently used
    await cache.set('d', bytes(30), 60_000); // 4 × 31 bytes > 100: one entry must go

    expect(await cache.get('a')).toEqual(bytes(30));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toEqual(bytes(30));
    expect(await cache.get('d')).toEqual(bytes(30));
  });

  test('one large entry evicts as many small ones as its size needs', async () => {
    const cache = new MemoryCacheStore({ maxBytes: 100 });
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, bytes(20), 60_000);
    await cache.set('e', bytes(55), 60_000);
    const kept = [];
    for (const key of ['a', 'b', 'c', 'd', 'e']) if (await cache.get(key)) kept.push(key);
    expect(kept).toEqual(['c', 'd', 'e']);
  });

  test('a value larger than the whole bound is not stored', async () => {
    const cache = new MemoryCacheStore({ maxBytes: 100 });
    await cache.set('a', bytes(30), 60_000);
    await cache.set('huge', bytes(200), 60_000);
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.get('a')).toEqual(bytes(30));
  });

  test('an entry expires after its own TTL', async () => {
    let nowMs = 1_000_000;
    const cache = new MemoryCacheStore({ maxBytes: 1_000, nowMs: () => nowMs });
    await cache.set('short', bytes(1), 1_000);
    await cache.set('long', bytes(1), 10_000);
    nowMs += 500;
    expect(await cache.get('short')).toEqual(bytes(1));
    nowMs += 1_000;
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('long')).toEqual(bytes(1));
    nowMs += 10_000;
    expect(await cache.get('long')).toBeUndefined();
  });

  test('a TTL of 0 stores nothing', async () => {
    const cache = new MemoryCacheStore({ maxBytes: 1_000 });
    await cache.set('a', bytes(1), 0);
    expect(await cache.get('a')).toBeUndefined();
  });

  test('a small view into a large buffer is held by its own bytes, not the whole allocation', async () => {
    const cache = new MemoryCacheStore({ maxBytes: 1_000 });
    const body = bytes(64 * 1024);
    await cache.set('a', body.subarray(0, 10), 60_000);
    const cached = await cache.get('a');
    expect(cached).toEqual(bytes(10));
    expect(cached?.buffer.byteLength).toBe(10);
  });
});

describe('Redis cache', () => {
  let server: RedisServer;
  let client: Redis;
  let keyPrefix: string;
  let cache: RedisCacheStore;

  beforeAll(async () => {
    server = await startRedis();
    client = await connectedClient(server.url);
  });
  afterAll(async () => {
    await closeClients(client);
    await server.stop();
  });
  beforeEach(() => {
    keyPrefix = freshPrefix();
    cache = new RedisCacheStore(client, { keyPrefix });
  });

  test('stores and returns bytes unchanged, under the prefix', async () => {
    const value = Buffer.from([0, 255, 10, 13, 0x80, 0x7f]);
    await cache.set('answer', value, 60_000);
    expect(await cache.get('answer')).toEqual(value);
    expect(await client.getBuffer(`${keyPrefix}cache:answer`)).toEqual(value);
  });

  test('a missing key reads as undefined', async () => {
    expect(await cache.get('never-stored')).toBeUndefined();
  });

  test('an entry carries its TTL and is gone once it has passed', async () => {
    await cache.set('long', bytes(1), 60_000);
    const ttl = await client.pttl(`${keyPrefix}cache:long`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);

    await cache.set('short', bytes(1), 20);
    while ((await cache.get('short')) !== undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await client.exists(`${keyPrefix}cache:short`)).toBe(0);
  });

  test('a TTL of 0 stores nothing', async () => {
    await cache.set('a', bytes(1), 0);
    expect(await client.exists(`${keyPrefix}cache:a`)).toBe(0);
  });
});
