/**
 * What the pipeline reports as it works. Telemetry (metrics, spans) implements this; the pipeline never
 * imports OpenTelemetry. Every field that may become a metric label is bounded (model ids come from the
 * configured catalogue, reasons and outcomes are closed sets); caller ids are for spans and logs only.
 * Implementations must never throw into a request.
 */
import type { BackendKind } from '../upstream/types';

export type AdmissionReason = 'rpm' | 'tpm' | 'budget' | 'throttled' | 'queue_full' | 'queue_timeout';
/** Why another model answered: its breaker was open, its retries were spent, or Gemini asked to slow down for it (admission). */
export type FallbackReason = 'breaker_open' | 'retries_exhausted' | 'throttled';
export type CacheResult = 'hit' | 'miss' | 'bypass' | 'coalesced';
export type BreakerState = 'closed' | 'open' | 'half_open';
export type RequestOutcome = 'success' | 'client_error' | 'upstream_error' | 'rejected' | 'cancelled';

export interface UsageReport {
  model: string;
  backend: BackendKind;
  /** Every prompt token, cached ones included. */
  inputTokens: number;
  /** Candidate tokens only: thinking tokens are in `thinkingTokens`, never in both. */
  outputTokens: number;
  /** The part of `inputTokens` served from Gemini's context cache. */
  cachedTokens: number;
  thinkingTokens: number;
  costUsd: number;
}

export interface PipelineEvents {
  /** One upstream HTTP attempt; `errorType` is a bounded code (`http_503`, `timeout`, `connection_reset`). */
  upstreamAttempt(a: { model: string; backend: BackendKind; operation: string; durationMs: number; ttftMs?: number; errorType?: string }): void;
  retry(r: { model: string; backend: BackendKind; errorType: string; delayMs: number }): void;
  fallback(f: { fromModel: string; toModel: string; reason: FallbackReason }): void;
  breakerState(b: { backend: BackendKind; model: string; state: BreakerState }): void;
  cache(c: { model: string; result: CacheResult }): void;
  admission(a: { model: string; admitted: boolean; queuedMs: number; reason?: AdmissionReason }): void;
  usage(u: UsageReport): void;
  /** A caller's budget after a settlement (callerId for logs/spans; metrics aggregate without it). */
  budget(b: { callerId: string; spentUsd: number; limitUsd: number }): void;
  stateBackend(s: { backend: 'memory' | 'redis'; reachable: boolean }): void;
  keyReload(k: { outcome: 'changed' | 'unchanged' | 'failed' }): void;
}

/** Reports nothing: for tests and for telemetry switched off. */
export const NO_EVENTS: PipelineEvents = {
  upstreamAttempt: () => undefined,
  retry: () => undefined,
  fallback: () => undefined,
  breakerState: () => undefined,
  cache: () => undefined,
  admission: () => undefined,
  usage: () => undefined,
  budget: () => undefined,
  stateBackend: () => undefined,
  keyReload: () => undefined,
};

/** A span around a piece of work; attribute values are bounded, never keys or prompt text. */
export interface SpanHandle {
  setAttributes(attributes: Record<string, string | number | boolean>): void;
  recordError(errorType: string): void;
}

/** One attempt at the upstream, as its span describes it. */
export interface UpstreamCallSpan {
  method: string;
  model: string;
  backend: string;
  stream: boolean;
}

/** A pipeline stage that has a span of its own. */
export type TracedStage = 'authenticate' | 'admit';

/** Tracing as the pipeline sees it: named spans around stages and upstream calls. */
export interface Tracing {
  inSpan<T>(name: string, attributes: Record<string, string | number | boolean>, work: (span: SpanHandle) => Promise<T>): Promise<T>;
  /** A stage's span, named and labelled by the tracing side (`gateway.stage`, and the model when the stage knows it). */
  inStage<T>(stage: TracedStage, model: string | undefined, work: (span: SpanHandle) => Promise<T>): Promise<T>;
  /** The GenAI inference span around one upstream attempt (until the whole answer, or a stream's first event). */
  inUpstreamCall<T>(call: UpstreamCallSpan, work: (span: SpanHandle) => Promise<T>): Promise<T>;
}

/** A span handle that records nothing: work run outside any span (no tracing, or an unsampled trace). */
export const NO_SPAN: SpanHandle = { setAttributes: () => undefined, recordError: () => undefined };
export const NO_TRACING: Tracing = { inSpan: (_name, _attributes, work) => work(NO_SPAN), inStage: (_stage, _model, work) => work(NO_SPAN), inUpstreamCall: (_call, work) => work(NO_SPAN) };
