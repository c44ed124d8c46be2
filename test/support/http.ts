/** Raw HTTP helpers for tests that need the exact bytes, status and headers. */
import { request } from 'undici';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const response = await request(url, {
    method: (init.method ?? (init.body === undefined ? 'GET' : 'POST')) as 'GET',
    headers: init.body !== undefined && !init.headers?.['content-type'] ? { 'content-type': 'application/json', ...init.headers } : init.headers,
    body: init.body,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
  send(url, { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

/** Splits an SSE body into its events' data, checking the framing is exactly `data: <json>\n\n`. */
export function sseEvents(text: string): string[] {
  if (text === '') return [];
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      expect(event.slice(6)).not.toContain('\n');
      return event.slice(6);
    });
}

export function expectGoogleError(response: RawResponse, status: number, canonical?: string): void {
  expect(response.status).toBe(status);
  // The content type Google's own errors carry.
  expect(response.headers['content-type']).toBe('application/json; charset=UTF-8');
  const body = response.json<{ error: { code: number; message: string; status: string } }>();
  expect(body.error.code).toBe(status);
  expect(typeof body.error.message).toBe('string');
  if (canonical) expect(body.error.status).toBe(canonical);
}
