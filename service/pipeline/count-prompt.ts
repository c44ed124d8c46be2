/**
 * Media named by URI (`fileData`: a video in Cloud Storage, a file from the Files API) is billed by its
 * length, which the gateway cannot know: an hour of video is about 950K prompt tokens, and the estimate
 * made from the request alone is the 258 of an image. Admitted on that estimate, such calls passed a tpm
 * limit or a budget many times over before their usage was settled. So the prompt of a generating
 * request with such media (anything but images, which are 258 tokens at any size) is counted by Gemini
 * first (`countTokens`, which is free), on the model the request is routed to, and that count is what
 * routing, admission and accounting use.
 *
 * The count is one plain call per model, outside the call stage: no retries, no circuit breaker and no
 * throttling follow from it, so a failing count never holds back or diverts the calls that generate. It
 * asks the routed model first, then its fallbacks, since the model the request ends on may be a fallback
 * and Gemini's models count media alike; each is given at most half of `COUNT_DEADLINE_MS`. Should every
 * one fail, the estimate stands: the request is not refused for want of a count, and its usage is settled
 * with Gemini's real figures either way. A count is kept for a while (`COUNT_KEPT_MS`), so a request
 * sent again (an SDK's retry after a 429, a request answered from the answer cache, whose lookup comes
 * with admission, after the count) is not counted again.
 */
import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Content } from '../protocol/content';
import { cancellationOf } from '../protocol/errors';
import type { ModelCallPath } from '../protocol/paths';
import { COUNTED_FIELDS, countTokensForGeminiApi } from '../upstream/count-tokens-dialects';
import { readUnary } from '../upstream/read-reply';
import type { BackendKind, Upstream } from '../upstream/types';
import { COUNT_DEADLINE_MS } from './count-deadline';
import { errorTypeOf } from './call/failures';
import { NO_TRACING, type PipelineEvents, type Tracing } from './events';
import type { RouteDecision } from './route';

const GENERATING = new Set(['generateContent', 'streamGenerateContent']);

/** Media by URI whose size the estimate cannot know: anything but an image, which is 258 tokens whatever its size. */
function namesLongMedia(contents: readonly Content[]): boolean {
  return contents.some((content) => content?.parts?.some((part) => part?.fileData !== undefined && part.inlineData === undefined && !part.fileData.mimeType?.startsWith('image/')));
}

/** Whether the prompt holds media only Gemini can size: a generating request with `fileData` other than an image. */
export function needsCount(method: string, body: Record<string, unknown>): boolean {
  if (!GENERATING.has(method)) return false;
  const contents = Array.isArray(body.contents) ? (body.contents as Content[]) : [];
  const system = body.systemInstruction as Content | undefined;
  return namesLongMedia(system ? [...contents, system] : contents);
}

/** What of a request is counted: what reaches the model as input, and the config that sizes media (`mediaResolution`). */
function countedRequest(body: Record<string, unknown>): Record<string, unknown> {
  const request: Record<string, unknown> = { contents: body.contents };
  for (const field of COUNTED_FIELDS) if (body[field] !== undefined) request[field] = body[field];
  return request;
}

/** The countTokens body for `model`, in the caller's dialect (the upstream translates it for its own). */
function countBody(path: ModelCallPath, request: Record<string, unknown>, model: string): Buffer {
  return Buffer.from(JSON.stringify(path.dialect === 'vertex' ? request : (countTokensForGeminiApi(model, request) ?? request)));
}

function totalTokensOf(answer: Buffer): number | undefined {
  try {
    const total = (JSON.parse(answer.toString('utf8')) as { totalTokens?: unknown }).totalTokens;
    return typeof total === 'number' && Number.isFinite(total) && total >= 0 ? total : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gemini's count of a request's prompt, `undefined` when no model of its route could give one. Throws only
 * when the caller left (or the gateway began shutting down) meanwhile.
 */
export type PromptCounter = (path: ModelCallPath, body: Record<string, unknown>, route: RouteDecision, signal: AbortSignal) => Promise<number | undefined>;

/** Counts kept, and for how long: a file named by URI keeps its length, and a caller's retries ask again. */
const COUNTS_KEPT = 10_000;
const COUNT_KEPT_MS = 10 * 60_000;

/** What a count depends on: the counted request and the dialect (the model aside: Gemini's models count media alike). */
function countKey(path: ModelCallPath, request: Record<string, unknown>): string {
  return hash('sha256', `${path.dialect}\n${JSON.stringify(request)}`, 'hex');
}

export function createPromptCounter(
  upstreams: Partial<Record<BackendKind, Upstream>>,
  events: PipelineEvents,
  tracing: Tracing = NO_TRACING,
  deadlineMs = COUNT_DEADLINE_MS,
  now: () => number = Date.now,
): PromptCounter {
  // The same prompt is counted once in a while, not on every try: an SDK retries a refused request (429)
  // with the same body, and a request answered from the cache is counted before its lookup.
  const counts = new LRUCache<string, number>({ max: COUNTS_KEPT, ttl: COUNT_KEPT_MS });

  /**
   * One model's count, in its own span (`count_tokens <model>`, a child of the request's): a count that
   * waits for a hung model shows where the request's time went. `undefined` when it failed, which is
   * reported like any upstream attempt.
   */
  function countOn(upstream: Upstream, model: string, path: ModelCallPath, request: Record<string, unknown>, signal: AbortSignal, timeoutMs: number): Promise<number | undefined> {
    return tracing.inUpstreamCall({ method: 'countTokens', model, backend: upstream.backend, stream: false }, async (span) => {
      const started = now();
      const attempt = { model, backend: upstream.backend, operation: 'countTokens' };
      const failed = (errorType: string): undefined => {
        span.recordError(errorType);
        events.upstreamAttempt({ ...attempt, durationMs: now() - started, errorType });
        return undefined;
      };
      try {
        // The time limit is the transport's own deadline, so a slow count is reported as a timeout, not as the caller leaving.
        const reply = await upstream.call({ version: path.version, dialect: path.dialect, collection: path.collection, model, method: 'countTokens', body: countBody(path, request, model), signal, timeoutMs });
        const answer = await readUnary(reply);
        if (reply.status < 200 || reply.status >= 300) return failed(`http_${reply.status}`);
        const total = totalTokensOf(answer);
        if (total === undefined) return failed('invalid_response');
        events.upstreamAttempt({ ...attempt, durationMs: now() - started });
        return total;
      } catch (error) {
        return failed(errorTypeOf(error));
      }
    });
  }

  return async function countPrompt(path, body, route, signal) {
    const request = countedRequest(body);
    const key = countKey(path, request);
    const known = counts.get(key);
    if (known !== undefined) return known;
    const deadlineAtMs = now() + deadlineMs;
    for (const { model, backend } of [{ model: route.model, backend: route.backend }, ...route.fallbacks]) {
      const upstream = upstreams[backend];
      const leftMs = deadlineAtMs - now();
      if (leftMs <= 0) break;
      if (!upstream) continue;
      const total = await countOn(upstream, model, path, request, signal, Math.min(leftMs, deadlineMs / 2));
      if (signal.aborted) throw cancellationOf(signal);
      if (total !== undefined) {
        counts.set(key, total);
        return total;
      }
    }
    return undefined;
  };
}
