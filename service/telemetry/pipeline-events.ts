/**
 * The OpenTelemetry implementation of the pipeline's `PipelineEvents` and `Tracing`: each event becomes
 * catalogue metrics (bounded labels only) and, when a span is active, a span event or attributes. Nothing
 * here throws into a request: failures are reported through `diag` and the request goes on.
 */
import { diag, SpanKind, SpanStatusCode, trace, TraceFlags, type BatchObservableResult, type Context, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import { NO_SPAN, type AdmissionReason, type BreakerState, type CacheResult, type FallbackReason, type PipelineEvents, type SpanHandle, type Tracing, type UsageReport } from '../pipeline/events';
import { boundedErrorType, oneOf, operationName, providerName } from './bounded-values';
import { activeContext, withContext } from './context-store';
import type { Instruments } from './instruments';
import { BREAKER_STATE_VALUES, BUDGET_THRESHOLDS } from './metrics-catalogue';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ERROR_TYPE_VALUE_OTHER,
  GATEWAY_ATTRIBUTES as G,
  GATEWAY_SPAN_EVENTS as EVENTS,
  GEN_AI_OPERATION_NAME_VALUES,
} from './semconv';
import { cleanSpanAttributes } from './span-attributes';
import { stageSpan, upstreamSpan } from './span-names';

const CACHE_RESULTS: readonly CacheResult[] = ['hit', 'miss', 'bypass', 'coalesced'];
const ADMISSION_REASONS: readonly AdmissionReason[] = ['rpm', 'tpm', 'budget', 'throttled', 'queue_full', 'queue_timeout'];
const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half_open', 'open'];
const FALLBACK_REASONS = ['breaker_open', 'retries_exhausted', 'throttled'] as const satisfies readonly FallbackReason[];
const STATE_BACKENDS = ['memory', 'redis'] as const;
const KEY_RELOAD_OUTCOMES = ['changed', 'unchanged', 'failed'] as const;

/** Runs telemetry work; a failure is reported through `diag`, never thrown. */
function safely(what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    diag.error(`gateway telemetry: ${what} failed`, error);
  }
}

/** The active span if it records, so that event attributes are built only for spans that keep them. */
function recordingSpan(): Span | undefined {
  const span = trace.getSpan(activeContext());
  return span?.isRecording() ? span : undefined;
}

/**
 * Per-caller budget ratios, held in memory only to aggregate them: the exported gauges carry the maximum
 * ratio and the number of callers above each threshold, never a caller id. A caller not heard of within
 * `windowMs` drops out (its period may have reset, and it is not spending), and at most `maxCallers` are
 * held (the least recently updated go first).
 */
export class BudgetRatios {
  private readonly ratios = new Map<string, { ratio: number; at: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 60 * 60 * 1000,
    private readonly maxCallers = 10_000,
  ) {}

  update(callerId: string, spentUsd: number, limitUsd: number): void {
    const ratio = limitUsd > 0 ? Math.max(0, spentUsd / limitUsd) : spentUsd > 0 ? Infinity : 0;
    this.ratios.delete(callerId);
    this.ratios.set(callerId, { ratio: Number.isFinite(ratio) ? ratio : 1, at: this.now() });
    if (this.ratios.size > this.maxCallers) {
      const oldest = this.ratios.keys().next();
      if (!oldest.done) this.ratios.delete(oldest.value);
    }
  }

  /** The highest ratio and the number of callers at or above each threshold. */
  summary(): { max: number; atOrAbove: Map<number, number> } {
    const cutoff = this.now() - this.windowMs;
    let max = 0;
    const atOrAbove = new Map<number, number>(BUDGET_THRESHOLDS.map((t) => [t, 0]));
    for (const [caller, { ratio, at }] of this.ratios) {
      if (at < cutoff) {
        this.ratios.delete(caller);
        continue;
      }
      max = Math.max(max, ratio);
      for (const threshold of BUDGET_THRESHOLDS) if (ratio >= threshold) atOrAbove.set(threshold, (atOrAbove.get(threshold) ?? 0) + 1);
    }
    return { max, atOrAbove };
  }
}

export interface PipelineTelemetryOptions {
  instruments: Instruments;
  /** Maps a model id to its label value; unknown ids must become `other`. */
  modelLabel: (model: string) => string;
  budgets?: BudgetRatios;
}

/** The `PipelineEvents` implementation: catalogue metrics plus span events on the active span. */
export function createPipelineEvents(options: PipelineTelemetryOptions): PipelineEvents {
  const { instruments: m, modelLabel } = options;
  const budgets = options.budgets ?? new BudgetRatios();
  const model = (id: string): string => {
    try {
      return modelLabel(id);
    } catch {
      return 'other';
    }
  };

  return {
    upstreamAttempt: (a) =>
      safely('upstreamAttempt', () => {
        const base = {
          [ATTR_GEN_AI_OPERATION_NAME]: operationName(a.operation),
          [ATTR_GEN_AI_PROVIDER_NAME]: providerName(a.backend),
          [ATTR_GEN_AI_REQUEST_MODEL]: model(a.model),
        };
        const errorType = boundedErrorType(a.errorType);
        m.genAiOperationDuration.record(a.durationMs / 1000, errorType ? { ...base, [ATTR_ERROR_TYPE]: errorType } : base);
        if (a.ttftMs !== undefined) m.genAiTimeToFirstChunk.record(a.ttftMs / 1000, base);
      }),

    retry: (r) =>
      safely('retry', () => {
        const errorType = boundedErrorType(r.errorType) ?? ERROR_TYPE_VALUE_OTHER;
        m.retries.add(1, { [ATTR_GEN_AI_PROVIDER_NAME]: providerName(r.backend), [ATTR_GEN_AI_REQUEST_MODEL]: model(r.model), [ATTR_ERROR_TYPE]: errorType });
        recordingSpan()?.addEvent(EVENTS.RETRY, { [ATTR_ERROR_TYPE]: errorType, [G.RETRY_DELAY_MS]: Math.round(r.delayMs) });
      }),

    fallback: (f) =>
      safely('fallback', () => {
        const attributes = {
          [G.FALLBACK_FROM_MODEL]: model(f.fromModel),
          [G.FALLBACK_TO_MODEL]: model(f.toModel),
          [G.FALLBACK_REASON]: oneOf(f.reason, FALLBACK_REASONS, 'retries_exhausted'),
        };
        m.fallbacks.add(1, attributes);
        recordingSpan()?.addEvent(EVENTS.FALLBACK, attributes);
      }),

    breakerState: (b) =>
      safely('breakerState', () => {
        const state = oneOf(b.state, BREAKER_STATES, 'open');
        const labels = { [ATTR_GEN_AI_PROVIDER_NAME]: providerName(b.backend), [ATTR_GEN_AI_REQUEST_MODEL]: model(b.model) };
        m.breakerState.record(BREAKER_STATE_VALUES[state], labels);
        m.breakerTransitions.add(1, { ...labels, [G.BREAKER_TO_STATE]: state });
        recordingSpan()?.addEvent(EVENTS.BREAKER, { ...labels, [G.BREAKER_TO_STATE]: state });
      }),

    cache: (c) =>
      safely('cache', () => {
        const result = oneOf(c.result, CACHE_RESULTS, 'miss');
        m.cacheLookups.add(1, { [ATTR_GEN_AI_REQUEST_MODEL]: model(c.model), [G.CACHE_RESULT]: result });
        recordingSpan()?.addEvent(EVENTS.CACHE, { [G.CACHE_RESULT]: result });
      }),

    admission: (a) =>
      safely('admission', () => {
        const result = a.admitted ? 'admitted' : 'rejected';
        const labels = { [ATTR_GEN_AI_REQUEST_MODEL]: model(a.model), [G.ADMISSION_RESULT]: result };
        const reason = a.admitted ? undefined : oneOf(a.reason, ADMISSION_REASONS, 'throttled');
        m.admissionDecisions.add(1, reason ? { ...labels, [G.ADMISSION_REASON]: reason } : labels);
        m.admissionQueueDuration.record(Math.max(0, a.queuedMs) / 1000, labels);
        recordingSpan()?.addEvent(EVENTS.ADMISSION, {
          [G.ADMISSION_RESULT]: result,
          ...(reason ? { [G.ADMISSION_REASON]: reason } : {}),
          [G.ADMISSION_QUEUED_MS]: Math.round(a.queuedMs),
        });
      }),

    usage: (u: UsageReport) =>
      safely('usage', () => {
        // Gemini's usageMetadata: promptTokenCount (input) includes cachedContentTokenCount; candidatesTokenCount
        // (outputTokens) excludes thoughtsTokenCount. The conventions count reasoning inside output.
        const labels = {
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUES.GENERATE_CONTENT,
          [ATTR_GEN_AI_PROVIDER_NAME]: providerName(u.backend),
          [ATTR_GEN_AI_REQUEST_MODEL]: model(u.model),
        };
        const output = u.outputTokens + u.thinkingTokens;
        m.genAiInputTokens.add(Math.max(0, u.inputTokens), labels);
        m.genAiOutputTokens.add(Math.max(0, output), labels);
        // Most answers use neither: adding 0 would change no series, and costs a lookup per request.
        if (u.cachedTokens > 0) m.genAiCacheReadInputTokens.add(u.cachedTokens, labels);
        if (u.thinkingTokens > 0) m.genAiReasoningOutputTokens.add(u.thinkingTokens, labels);
        m.costUsd.add(Math.max(0, u.costUsd), { [ATTR_GEN_AI_PROVIDER_NAME]: labels[ATTR_GEN_AI_PROVIDER_NAME], [ATTR_GEN_AI_REQUEST_MODEL]: labels[ATTR_GEN_AI_REQUEST_MODEL] });
        recordingSpan()?.setAttributes({
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: u.inputTokens,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
          [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: u.cachedTokens,
          [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: u.thinkingTokens,
          [G.COST_USD]: u.costUsd,
        });
      }),

    budget: (b) =>
      safely('budget', () => {
        budgets.update(b.callerId, b.spentUsd, b.limitUsd);
        recordingSpan()?.addEvent(EVENTS.BUDGET, { [G.CALLER_ID]: b.callerId.slice(0, 128), [G.BUDGET_SPENT_RATIO]: b.limitUsd > 0 ? b.spentUsd / b.limitUsd : 0 });
      }),

    stateBackend: (s) =>
      safely('stateBackend', () => {
        m.stateBackendReachable.record(s.reachable ? 1 : 0, { [G.STATE_BACKEND]: oneOf(s.backend, STATE_BACKENDS, 'redis') });
      }),

    keyReload: (k) =>
      safely('keyReload', () => {
        m.keyReloads.add(1, { [G.KEY_RELOAD_OUTCOME]: oneOf(k.outcome, KEY_RELOAD_OUTCOMES, 'failed') });
      }),
  };
}

/** Registers the budget gauges' callback; returns the function that removes it. */
export function observeBudgets(instruments: Instruments, budgets: BudgetRatios, meter: Meter): () => void {
  const observables = [instruments.budgetMaxSpentRatio, instruments.budgetCallers];
  const callback = (result: BatchObservableResult): void =>
    safely('budget gauges', () => {
      const { max, atOrAbove } = budgets.summary();
      result.observe(instruments.budgetMaxSpentRatio, max);
      for (const [threshold, count] of atOrAbove) result.observe(instruments.budgetCallers, count, { [G.BUDGET_THRESHOLD]: String(threshold) });
    });
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

// ---------------------------------------------------------------------------------------------------------
// Tracing
// ---------------------------------------------------------------------------------------------------------

/** A low-cardinality `error.type` for a thrown value: an HTTP status, an error code, or the error's class. */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { httpStatus?: unknown; code?: unknown; name?: unknown };
    if (typeof e.httpStatus === 'number') return `http_${e.httpStatus}`;
    if (typeof e.code === 'string') return boundedErrorType(e.code) ?? ERROR_TYPE_VALUE_OTHER;
    if (typeof e.name === 'string') return boundedErrorType(e.name) ?? ERROR_TYPE_VALUE_OTHER;
  }
  return ERROR_TYPE_VALUE_OTHER;
}

const MAX_SPAN_NAME = 128;

function handleFor(span: Span, errored: { value: boolean }): SpanHandle {
  return {
    setAttributes: (attributes) => safely('setAttributes', () => span.setAttributes(cleanSpanAttributes(attributes))),
    recordError: (errorType) =>
      safely('recordError', () => {
        errored.value = true;
        span.setAttribute(ATTR_ERROR_TYPE, boundedErrorType(errorType) ?? ERROR_TYPE_VALUE_OTHER);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }),
  };
}

/**
 * `Tracing` over an SDK tracer. A span carrying `gen_ai.operation.name` is an upstream inference call and is
 * a CLIENT span (GenAI conventions: name `{operation} {model}`, e.g. `generate_content gemini-2.5-flash`);
 * every other span (`middleware - authenticate`, …) is INTERNAL. A rejected `work` ends its span with
 * status ERROR and a bounded `error.type`; the message is never recorded (it may quote the request).
 */
export function createTracing(tracer: Tracer): Tracing {
  return {
    inSpan(name, attributes, work) {
      const parent = activeContext();
      return underUnsampled(parent) ? work(NO_SPAN) : inNewSpan(name, attributes, parent, work);
    },
    inStage(stage, model, work) {
      const parent = activeContext();
      if (underUnsampled(parent)) return work(NO_SPAN);
      const spec = stageSpan(stage, model);
      return inNewSpan(spec.name, spec.attributes, parent, work);
    },
    inUpstreamCall(call, work) {
      const parent = activeContext();
      if (underUnsampled(parent)) return work(NO_SPAN);
      const spec = upstreamSpan(call);
      return inNewSpan(spec.name, spec.attributes, parent, work);
    },
  };

  /**
   * The sampler follows the parent: under a trace that is not sampled, a child span would record nothing,
   * so neither it, nor its name and attributes, nor a context switch, nor a promise around the work is made
   * (most requests, at a sampling ratio below 1).
   */
  function underUnsampled(parent: Context): boolean {
    const parentSpan = trace.getSpanContext(parent);
    return parentSpan !== undefined && (parentSpan.traceFlags & TraceFlags.SAMPLED) === 0;
  }

  async function inNewSpan<T>(name: string, attributes: Record<string, string | number | boolean>, parent: Context, work: (span: SpanHandle) => Promise<T>): Promise<T> {
    let span: Span;
    try {
      const cleaned = cleanSpanAttributes(attributes);
      const kind = cleaned[ATTR_GEN_AI_OPERATION_NAME] !== undefined ? SpanKind.CLIENT : SpanKind.INTERNAL;
      span = tracer.startSpan(name.slice(0, MAX_SPAN_NAME), { kind, attributes: cleaned }, parent);
    } catch (error) {
      diag.error('gateway telemetry: startSpan failed', error);
      return work(NO_SPAN);
    }
    const errored = { value: false };
    try {
      return await withContext(trace.setSpan(parent, span), () => work(handleFor(span, errored)));
    } catch (error) {
      safely('record rejection', () => {
        if (!errored.value) span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      });
      throw error;
    } finally {
      safely('end span', () => span.end());
    }
  }
}
