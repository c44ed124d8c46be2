/**
 * Request helpers for the system tests: one request with a hard deadline (so a hung request fails the test
 * instead of hanging it), a bounded-concurrency runner, and checks of Google's error shape that return a
 * description instead of throwing (a corpus of thousands reports every bad response at once).
 */
import { createHash } from 'node:crypto';
import { request, type Dispatcher } from 'undici';

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Far above any answer the emulator gives; only a hung request ever reaches it. */
export const HANG_GUARD_MS = 15_000;

export class HungRequestError extends Error {}

/** POSTs JSON (or sends what `init` says) and reads the whole answer, failing after `HANG_GUARD_MS`. */
export async function call(
  url: string,
  init: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  const signal = AbortSignal.timeout(HANG_GUARD_MS);
  try {
    const response = await request(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.body !== undefined ? { 'content-type': 'application/json', ...init.headers } : init.headers,
      body: init.body,
      signal,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  } catch (error) {
    if (signal.aborted) throw new HungRequestError(`no complete answer from ${url} within ${HANG_GUARD_MS} ms`);
    throw error;
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight, in index order. */
export async function runBounded<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
  return results;
}

interface GoogleErrorBody {
  error?: { code?: unknown; status?: unknown; message?: unknown; details?: unknown };
}

/**
 * What is wrong with a reply that should be a Google-shaped error with a status in [min, max]: undefined
 * when nothing is. `bodyless` (a HEAD request) checks status and content type only.
 */
export function googleErrorProblem(reply: Reply, min: number, max: number, bodyless = false): string | undefined {
  if (reply.status < min || reply.status > max) return `status ${reply.status}, expected ${min}..${max}`;
  const type = String(reply.headers['content-type'] ?? '');
  if (!/^application\/json/.test(type)) return `content-type ${JSON.stringify(type)}`;
  if (bodyless) return undefined;
  if (/<html|<!doctype|\n\s+at [\w.<]+ \(/i.test(reply.text)) return `HTML or a stack trace in the body: ${reply.text.slice(0, 200)}`;
  let body: GoogleErrorBody;
  try {
    body = JSON.parse(reply.text) as GoogleErrorBody;
  } catch {
    return `body is not JSON: ${reply.text.slice(0, 200)}`;
  }
  if (typeof body !== 'object' || body === null || typeof body.error !== 'object' || body.error === null) return `no error object: ${reply.text.slice(0, 200)}`;
  if (body.error.code !== reply.status) return `error.code ${String(body.error.code)} ≠ status ${reply.status}`;
  if (typeof body.error.status !== 'string' || body.error.status.length === 0) return `error.status is not a string: ${reply.text.slice(0, 200)}`;
  if (typeof body.error.message !== 'string') return `error.message is not a string: ${reply.text.slice(0, 200)}`;
  return undefined;
}

/** The RetryInfo delay of a Google error body, in seconds (undefined when there is none). */
export function retryInfoSeconds(reply: Reply): number | undefined {
  const body = JSON.parse(reply.text) as { error?: { details?: Array<{ '@type'?: string; retryDelay?: string }> } };
  const detail = body.error?.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
  const match = /^(\d+(?:\.\d+)?)s$/.exec(detail?.retryDelay ?? '');
  return match ? Number(match[1]) : undefined;
}
