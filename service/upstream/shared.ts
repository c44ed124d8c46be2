/** Small pieces both upstream clients use. */
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
