/**
 * Cache stage: exact-match answers keyed by the canonical request (see `key.ts`), for a TTL, bounded in
 * size by the store. Only complete, successful answers are kept; streams are kept as their events and
 * replayed as they were (thought parts included). `Cache-Control: no-cache`/`no-store` and a caller's
 * `cache: off` policy bypass it.
 */
import type { CallerPolicy } from '../../config/policy';
import type { ModelMethod } from '../../protocol/paths';
import type { CacheStore } from '../../state/types';

export type CachedAnswer = { kind: 'unary'; body: Buffer } | { kind: 'stream'; events: string[] };

const CACHEABLE: ReadonlySet<ModelMethod> = new Set(['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents', 'predict']);

export function cacheScope(caller: { id: string; policy: CallerPolicy }): string {
  return caller.policy.cache === 'shared' ? 'shared' : `caller:${caller.id}`;
}

export function shouldUseCache(ttlMs: number, method: ModelMethod, policy: CallerPolicy, cacheControl: string | undefined): boolean {
  if (ttlMs <= 0 || !CACHEABLE.has(method) || policy.cache === 'off') return false;
  return !/\bno-(?:cache|store)\b/i.test(cacheControl ?? '');
}

/** A stream is complete when its last event carries a finish reason and no event is an error. */
export function isCompleteStream(events: readonly string[]): boolean {
  const last = events.at(-1);
  if (!last || events.some((e) => e.startsWith('{"error"'))) return false;
  return /"finishReason"\s*:/.test(last);
}

/**
 * Stored form: one tag byte, then the answer — a unary body as its own bytes (a hit is a slice: no parse,
 * no copy of the text), a stream as the JSON array of its events.
 */
const UNARY_TAG = 0x55; // 'U'
const STREAM_TAG = 0x53; // 'S'

function encode(answer: CachedAnswer): Buffer {
  return answer.kind === 'unary'
    ? Buffer.concat([Buffer.of(UNARY_TAG), answer.body])
    : Buffer.concat([Buffer.of(STREAM_TAG), Buffer.from(JSON.stringify(answer.events))]);
}

function decode(raw: Buffer): CachedAnswer | undefined {
  if (raw[0] === UNARY_TAG) return { kind: 'unary', body: raw.subarray(1) };
  if (raw[0] === STREAM_TAG) return { kind: 'stream', events: JSON.parse(raw.subarray(1).toString('utf8')) as string[] };
  return undefined; // written by another version: a miss
}

export function createAnswerCache(store: CacheStore, ttlMs: number) {
  return {
    async get(key: string): Promise<CachedAnswer | undefined> {
      const raw = await store.get(key);
      return raw ? decode(raw) : undefined;
    },
    async put(key: string, answer: CachedAnswer): Promise<void> {
      if (answer.kind === 'stream' && !isCompleteStream(answer.events)) return;
      await store.set(key, encode(answer), ttlMs);
    },
  };
}

export type AnswerCache = ReturnType<typeof createAnswerCache>;
