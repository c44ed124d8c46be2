/**
 * The answer cache in this process's memory: least recently used entries go first once the total size
 * passes a byte bound, and each entry expires after its own time to live. The memory admission store looks
 * in it and writes to it; with Redis, the answer cache lives in Redis beside the counters.
 */
import { LRUCache } from 'lru-cache';

export interface MemoryCacheOptions {
  /** The most bytes the cache holds, keys and values together. */
  maxBytes: number;
  /** The clock entries expire on (ms); tests move it by hand. */
  nowMs?: () => number;
}

export class MemoryCacheStore {
  private readonly entries: LRUCache<string, Buffer>;

  constructor(options: MemoryCacheOptions) {
    this.entries = new LRUCache<string, Buffer>({
      maxSize: options.maxBytes,
      // lru-cache needs a positive size for every entry, even an empty answer under an empty key.
      sizeCalculation: (value, key) => Math.max(1, value.byteLength + Buffer.byteLength(key)),
      // Read the clock at every check: exact with an injected clock, and no timer to cache the reading.
      ttlResolution: 0,
      ...(options.nowMs && { perf: { now: options.nowMs } }),
    });
  }

  get(key: string): Buffer | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: Buffer, ttlMs: number): void {
    // lru-cache reads a TTL of 0 as "never expires"; here it means "do not cache".
    if (ttlMs > 0) this.entries.set(key, ownedBytes(value), { ttl: ttlMs });
  }
}

/**
 * A Buffer can be a small view into a much larger allocation (Node's 8 KiB pool, a parsed response body),
 * which it keeps alive. Copy such a view, so the byte bound counts what the cache really holds.
 */
function ownedBytes(value: Buffer): Buffer {
  if (value.byteLength === value.buffer.byteLength) return value;
  const copy = Buffer.allocUnsafeSlow(value.byteLength);
  value.copy(copy);
  return copy;
}
