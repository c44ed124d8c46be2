/**
 * Call stage: the upstream call with the resilience policy composed once — retries (full-jitter backoff
 * honouring RetryInfo / Retry-After, within a per-request retry budget, only before the first byte is
 * relayed) around a circuit breaker per (backend, model, credential), and the fallback chain when a
 * model's breaker is open or its retries are spent, all within one deadline per request.
 *
 * A stream counts as answered once its first event arrives, unless that event is an error; everything before
 * that may be retried.
 */
import { BrokenCircuitError } from 'cockatiel';
import { cancellationOf, GoogleApiError } from '../../protocol/errors';
import type { ApiVersion, ModelCollection, ModelMethod, PathDialect } from '../../protocol/paths';
import { eventsOf, readUnary, rejectionOf, rejectionOfEvent, UpstreamRejection } from '../../upstream/read-reply';
import type { BackendKind, Upstream } from '../../upstream/types';
import type { FallbackReason, PipelineEvents, Tracing } from '../events';
import type { RouteDecision } from '../route';
import { Breakers, type BreakerOptions } from './breakers';
import { errorTypeOf, isRetryable } from './failures';
import { backoffDelayMs } from './retry-delay';
import { abortableSleep, CancelledWhileWaiting, type Sleep } from '../abortable-sleep';

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
}

export interface ModelCallerOptions {
  upstreams: Partial<Record<BackendKind, Upstream>>;
  /**
   * How long one request's upstream work may take in all, every attempt and fallback included, headers to
   * last byte: no attempt starts, and no attempt runs, past it.
   */
  requestTimeoutMs: number;
  retry: RetryOptions;
  breaker: BreakerOptions;
  events: PipelineEvents;
  tracing: Tracing;
  /** An upstream 429 with a delay: admission is throttled for that model (see the admit stage). */
  onUpstreamThrottle: (model: string, delayMs: number) => void;
  random?: () => number;
  now?: () => number;
  sleep?: Sleep;
}

export interface CallRequest {
  route: RouteDecision;
  version: ApiVersion;
  dialect: PathDialect;
  collection: ModelCollection;
  method: ModelMethod;
  /** Where in the route's chain (model, then fallbacks) to start: the models before were held back at admission. */
  startAt?: number;
  /** The body to send to a given model (some bodies name the model, e.g. batchEmbedContents). */
  bodyFor: (model: string) => Uint8Array;
  signal: AbortSignal;
  /**
   * Asked before a fallback model takes the request: resolves when it may (its limits reserved), rejects
   * when it may not, and the chain moves on. Default: every fallback may.
   */
  admitFallback?: (model: string) => Promise<void>;
}

export type Answer = { kind: 'unary'; body: Buffer } | { kind: 'stream'; first: string; rest: AsyncGenerator<string> };

export interface CallResult {
  answer: Answer;
  model: string;
  backend: BackendKind;
  retries: number;
  /** The model first routed to, when a fallback answered instead. */
  fallbackFrom?: string;
}

export function createModelCaller(options: ModelCallerOptions) {
  const breakers = new Breakers(options.breaker, options.events);
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;

  function upstreamFor(backend: BackendKind): Upstream {
    const upstream = options.upstreams[backend];
    if (!upstream) throw new GoogleApiError(500, `No ${backend} upstream is configured for this model.`);
    return upstream;
  }

  /** One HTTP attempt, in its GenAI inference span: resolves when the answer is whole (unary) or its first event arrived (stream). */
  function attempt(upstream: Upstream, model: string, request: CallRequest, timeoutMs: number): Promise<Answer> {
    const call = { method: request.method, model, backend: upstream.backend, stream: request.method === 'streamGenerateContent' };
    return options.tracing.inUpstreamCall(call, () => attemptOnce(upstream, model, request, timeoutMs));
  }

  async function attemptOnce(upstream: Upstream, model: string, request: CallRequest, timeoutMs: number): Promise<Answer> {
    const started = now();
    const operation = request.method;
    try {
      const reply = await upstream.call({ version: request.version, dialect: request.dialect, collection: request.collection, model, method: request.method, body: request.bodyFor(model), signal: request.signal, timeoutMs });
      if (reply.status < 200 || reply.status >= 300) throw await rejectionOf(reply, now());
      if (request.method !== 'streamGenerateContent') {
        const body = await readUnary(reply);
        options.events.upstreamAttempt({ model, backend: upstream.backend, operation, durationMs: now() - started });
        return { kind: 'unary', body };
      }
      const events = eventsOf(reply);
      const first = await events.next();
      if (first.done) {
        // An empty stream is a complete (if odd) answer; Google has sent them.
        options.events.upstreamAttempt({ model, backend: upstream.backend, operation, durationMs: now() - started });
        return { kind: 'stream', first: '', rest: events };
      }
      const rejection = rejectionOfEvent(first.value);
      if (rejection) {
        // Nothing is relayed yet: an error as the first event is retried and falls back like an error status.
        await events.return(undefined);
        throw rejection;
      }
      options.events.upstreamAttempt({ model, backend: upstream.backend, operation, durationMs: now() - started, ttftMs: now() - started });
      return { kind: 'stream', first: first.value, rest: events };
    } catch (error) {
      options.events.upstreamAttempt({ model, backend: upstream.backend, operation, durationMs: now() - started, errorType: errorTypeOf(error) });
      throw error;
    }
  }

  /** Retries one model; resolves with its answer, or rejects with the error that ended its attempts. */
  async function callModel(model: string, backend: BackendKind, request: CallRequest, budget: RequestBudget): Promise<Answer> {
    const upstream = upstreamFor(backend);
    for (let n = 0; ; n++) {
      const breaker = breakers.for(backend, model, upstream.credentialId());
      try {
        return await breaker.execute(() => attempt(upstream, model, request, budget.deadlineAtMs - now()));
      } catch (error) {
        if (error instanceof BrokenCircuitError || request.signal.aborted || !isRetryable(error)) throw error;
        const serverDelayMs = error instanceof UpstreamRejection ? error.retryAfterMs : undefined;
        if (error instanceof GoogleApiError && error.httpStatus === 429 && serverDelayMs !== undefined) options.onUpstreamThrottle(model, serverDelayMs);
        if (n + 1 >= options.retry.maxAttempts) throw error;
        const delayMs = backoffDelayMs(n, serverDelayMs, { baseDelayMs: options.retry.baseDelayMs, maxDelayMs: options.retry.maxDelayMs, random });
        // A wait longer than allowed goes to the fallback instead of holding the caller; none runs past the deadline.
        if (delayMs > options.retry.maxDelayMs || budget.spentMs + delayMs > options.retry.budgetMs || now() + delayMs >= budget.deadlineAtMs) throw error;
        options.events.retry({ model, backend, errorType: errorTypeOf(error), delayMs });
        await sleep(delayMs, request.signal);
        budget.spentMs += delayMs;
        budget.retries++;
      }
    }
  }

  return async function callUpstream(request: CallRequest): Promise<CallResult> {
    const { route } = request;
    const chain = [{ model: route.model, backend: route.backend }, ...route.fallbacks];
    const budget: RequestBudget = { spentMs: 0, retries: 0, deadlineAtMs: now() + options.requestTimeoutMs };
    let lastError: unknown;
    // The model that failed last, and why: the next one the chain tries is its fallback.
    let failed: { model: string; reason: FallbackReason } | undefined;
    // The last model tried, for the failure's record: not a fallback passed over at its admission.
    let tried = { model: route.model, backend: route.backend };
    for (const [index, { model, backend }] of chain.entries()) {
      if (index < (request.startAt ?? 0)) continue;
      if (failed) {
        try {
          await request.admitFallback?.(model);
        } catch {
          if (request.signal.aborted) throw noteFailure(cancellationOf(request.signal), { retries: budget.retries, ...tried, answering: false });
          // Its limits are full: the next fallback is asked instead, and the failure that led here stands.
          continue;
        }
        options.events.fallback({ fromModel: failed.model, toModel: model, reason: failed.reason });
      }
      tried = { model, backend };
      try {
        const answer = await callModel(model, backend, request, budget);
        return { answer, model, backend, retries: budget.retries, fallbackFrom: index > 0 ? route.model : undefined };
      } catch (error) {
        if (request.signal.aborted) {
          // Left while waiting between attempts, nothing was being generated; during one, something may have been.
          // Who stopped it: the caller (499), or the gateway shutting down (503).
          throw noteFailure(cancellationOf(request.signal), { retries: budget.retries, model, backend, answering: !(error instanceof CancelledWhileWaiting) });
        }
        if (!(error instanceof BrokenCircuitError) && !isRetryable(error)) throw noteFailure(error, { retries: budget.retries, model, backend });
        lastError = noteFailure(error, { retries: budget.retries, model, backend });
        // Nothing more is tried once the request's deadline has passed.
        if (now() >= budget.deadlineAtMs) break;
        failed = { model, reason: error instanceof BrokenCircuitError ? 'breaker_open' : 'retries_exhausted' };
      }
    }
    if (lastError instanceof GoogleApiError) throw lastError;
    throw noteFailure(new GoogleApiError(503, `${route.model} is unavailable (circuit open) and no fallback could answer. Retry later.`), { retries: budget.retries, ...tried });
  };
}

/** What one request has used of its allowance: time waited between attempts, retries, and when it must end. */
interface RequestBudget {
  spentMs: number;
  retries: number;
  deadlineAtMs: number;
}

export type UpstreamCaller = ReturnType<typeof createModelCaller>;

/** What a failed call did before it failed (retries, the model tried last), for its audit record. */
export interface FailedCall {
  retries: number;
  model: string;
  backend: BackendKind;
  /** A call its caller cancelled: whether an attempt was under way then (false: a wait between attempts). */
  answering?: boolean;
}

const FAILED_CALLS = new WeakMap<object, FailedCall>();

export function failedCallOf(error: unknown): FailedCall | undefined {
  return typeof error === 'object' && error !== null ? FAILED_CALLS.get(error) : undefined;
}

function noteFailure<T>(error: T, failed: FailedCall): T {
  if (typeof error === 'object' && error !== null) FAILED_CALLS.set(error, failed);
  return error;
}
