/**
 * The memory answer cache, bounded by bytes and by each entry's TTL. (The answer cache in Redis rides in
 * the admission scripts; `admission-contract.test.ts` holds both stores to the same behaviour.)
 */
import { MemoryCacheStore } from '../../service/state/memory-cache';

/** `length` bytes of one value: with a one-byte key, an entry weighs `length + 1`. */
function bytes(length: number, fill = 0x61): Buffer {
  return Buffer.alloc(length, fill);
}

describe('memory cache', () => {
  test('past its byte bound it evicts the least recently used entries first', () => {
    const cache = new MemoryCacheStore({ maxBytes: 100 });
    cache.set('a', bytes(30), 60_000);
    cache.set('b', bytes(30), 60_000);
    cache.set('c', bytes(30), 60_000);
    cache.get('a'); // now b is the least recently used
    cache.set('d', bytes(30), 60_000); // 4 × 31 bytes > 100: one entry must go

    expect(cache.get('a')).toEqual(bytes(30));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toEqual(bytes(30));
    expect(cache.get('d')).toEqual(bytes(30));
  });

  test('one large entry evicts as many small ones as its size needs', () => {
    const cache = new MemoryCacheStore({ maxBytes: 100 });
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, bytes(20), 60_000);
    cache.set('e', bytes(55), 60_000);
    const kept = [];
    for (const key of ['a', 'b', 'c', 'd', 'e']) if (cache.get(key)) kept.push(key);
    expect(kept).toEqual(['c', 'd', 'e']);
  });

  test('a value larger than the whole bound is not stored', () => {
    const cache = new MemoryCacheStore({ maxBytes: 100 });
    cache.set('a', bytes(30), 60_000);
    cache.set('huge', bytes(200), 60_000);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toEqual(bytes(30));
  });

  test('an entry expires after its own TTL', () => {
    let nowMs = 1_000_000;
    const cache = new MemoryCacheStore({ maxBytes: 1_000, nowMs: () => nowMs });
    cache.set('short', bytes(1), 1_000);
    cache.set('long', bytes(1), 10_000);
    nowMs += 500;
    expect(cache.get('short')).toEqual(bytes(1));
    nowMs += 1_000;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toEqual(bytes(1));
    nowMs += 10_000;
    expect(cache.get('long')).toBeUndefined();
  });

  test('a TTL of 0 stores nothing', () => {
    const cache = new MemoryCacheStore({ maxBytes: 1_000 });
    cache.set('a', bytes(1), 0);
    expect(cache.get('a')).toBeUndefined();
  });

  test('a small view into a large buffer is held by its own bytes, not the whole allocation', () => {
    const cache = new MemoryCacheStore({ maxBytes: 1_000 });
    const body = bytes(64 * 1024);
    cache.set('a', body.subarray(0, 10), 60_000);
    const cached = cache.get('a');
    expect(cached).toEqual(bytes(10));
    expect(cached?.buffer.byteLength).toBe(10);
  });
});
