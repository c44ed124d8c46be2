/**
 * Cache stage: exact-match answers keyed by the canonical request (see `key.ts`), for a TTL, bounded in
 * size by the store. Only complete, successful answers are kept; streams are kept as their events and
 * replayed as they were (thought parts included). `Cache-Control: no-cache`/`no-store` and a caller's
 * `cache: off` policy bypass it. The store looks an answer up in the same round trip as the admission's
 * reservation and writes one with the settlement (`state/types.ts`); this module says what is kept, and
 * in which bytes.
 */
import type { CallerPolicy } from '../../config/policy';
import type { ModelMethod } from '../../protocol/paths';
import { isErrorEvent, isFinishingEvent } from '../../protocol/stream-format';

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
  if (!last || events.some(isErrorEvent)) return false;
  return isFinishingEvent(last);
}

/**
 * Stored form: one tag byte, then the answer — a unary body as its own bytes (a hit is a slice: no parse,
 * no copy of the text), a stream as the JSON array of its events.
 */
const UNARY_TAG = 0x55; // 'U'
const STREAM_TAG = 0x53; // 'S'

/** The stored bytes of an answer; undefined for a stream that is not worth keeping (incomplete, or failed). */
export function encodeAnswer(answer: CachedAnswer): Buffer | undefined {
  if (answer.kind === 'unary') return Buffer.concat([Buffer.of(UNARY_TAG), answer.body]);
  return isCompleteStream(answer.events) ? Buffer.concat([Buffer.of(STREAM_TAG), Buffer.from(JSON.stringify(answer.events))]) : undefined;
}

/** The answer in stored bytes, if it is of the kind asked for; undefined for bytes another version wrote. */
export function decodeAnswer(raw: Buffer, kind: CachedAnswer['kind']): CachedAnswer | undefined {
  if (kind === 'unary' && raw[0] === UNARY_TAG) return { kind: 'unary', body: raw.subarray(1) };
  if (kind === 'stream' && raw[0] === STREAM_TAG) return { kind: 'stream', events: JSON.parse(raw.subarray(1).toString('utf8')) as string[] };
  return undefined;
}
