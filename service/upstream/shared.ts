/** Small pieces both upstream clients use. */
import { hash } from 'node:crypto';
import type { ModelMethod } from '../protocol/paths';
import type { UpstreamModelsQuery } from './types';

export const USER_AGENT = 'gemini-gateway/0.1';

/** The methods whose answers are candidates (and may cite sources). */
export const GENERATE_METHODS: ReadonlySet<ModelMethod> = new Set(['generateContent', 'streamGenerateContent']);

/** A call's JSON body as an object, to be translated for the other dialect (the validate stage parsed it once already). */
export function parseBody(body: Uint8Array): Record<string, unknown> {
  return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as Record<string, unknown>;
}

export function modelsQueryString(query: Pick<UpstreamModelsQuery, 'model' | 'pageSize' | 'pageToken'>): string {
  if (query.model) return '';
  const params = new URLSearchParams();
  if (query.pageSize) params.set('pageSize', query.pageSize);
  if (query.pageToken) params.set('pageToken', query.pageToken);
  const text = params.toString();
  return text ? `?${text}` : '';
}

let lastKey: string | undefined;
let lastFingerprint = '';

/**
 * A short, non-reversible name for a key: safe in logs, spans and breaker names. Asked for on every call
 * with the same key until it rotates, so the last answer is kept.
 */
export function keyFingerprint(key: string): string {
  if (key !== lastKey) {
    lastFingerprint = `key-${hash('sha256', key, 'hex').slice(0, 8)}`;
    lastKey = key;
  }
  return lastFingerprint;
}
