/**
 * Cache stage: exact-match answers keyed by the canonical request (see `key.ts`), for a TTL, bounded in
 * size by the store. Only complete, successful answers are kept; streams are kept as their events and
 * replayed as they were (thought parts included). `Cache-Control: no-cache`/`no-store` and a caller's
 * `cache: off` policy bypass it.
 */
import type { CallerPolicy } from '../../config/policy';
import type { ModelMethod } from '../../protocol/paths';
import type { CacheStore } from '../../state/types';

export type CachedAnswer = { kind: 'unary'; body: string } | { kind: 'stream'; events: string[] };

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

export function createAnswerCache(store: CacheStore, ttlMs: number) {
  return {
    async get(key: string): Promise<CachedAnswer | undefined> {
      const raw = await store.get(key);
      return raw ? (JSON.parse(raw.toString('utf8')) as CachedAnswer) : undefined;
    },
    async put(key: string, answer: CachedAnswer): Promise<void> {
      if (answer.kind === 'stream' && !isCompleteStream(answer.events)) return;
      await store.set(key, Buffer.from(JSON.stringify(answer)), ttlMs);
    },
  };
}

export type AnswerCache = ReturnType<typeof createAnswerCache>;
