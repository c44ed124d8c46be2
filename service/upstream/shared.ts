/** Small pieces both upstream clients use. */
import { hash } from 'node:crypto';
import type { UpstreamModelsQuery } from './types';

export const USER_AGENT = 'gemini-gateway/0.1';

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
