/**
 * The metric catalogue: every instrument the gateway records, defined once (OpenTelemetry name, kind, unit,
 * description, bucket boundaries, allowed labels), and the Prometheus series names derived from it the way
 * `@opentelemetry/exporter-prometheus` 0.301 writes them (`reference/observability.md` §1.6): characters
 * outside `[a-zA-Z0-9_:]` become `_`, runs of `_` collapse, counters get `_total`, and NO unit suffix is ever
 * added (a histogram in seconds is `http_server_request_duration_bucket`, not `..._seconds_bucket`).
 *
 * The service records only through these definitions (each instrument drops any attribute outside `labels`);
 * dashboards, alerts and infra import the derived names, so a rename breaks the build
 * instead of a dashboard.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_V8JS_HEAP_SPACE_NAME,
  GATEWAY_ATTRIBUTES as G,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  METRIC_NODEJS_EVENTLOOP_DELAY_MAX,
  METRIC_NODEJS_EVENTLOOP_DELAY_P50,
  METRIC_NODEJS_EVENTLOOP_DELAY_P99,
  METRIC_NODEJS_EVENTLOOP_UTILIZATION,
  METRIC_V8JS_MEMORY_HEAP_USED,
} from './semconv';

/**
 * `gauge` is a synchronous gauge (last value recorded wins); `observable_gauge` is read by a callback at
 * collection time; `updowncounter` is exported as a Prometheus gauge. `summed_counter` and
 * `summed_updowncounter` are for what is counted on every request: the sums are kept in plain numbers and
 * read by the SDK at collection (`summed-counter.ts`), exported exactly like `counter` and `updowncounter`.
 * `histogram` is an explicit-bucket histogram, recorded in plain bucket counts for the same reason
 * (`summed-histogram.ts`).
 */
export type InstrumentKind = 'counter' | 'summed_counter' | 'updowncounter' | 'summed_updowncounter' | 'histogram' | 'gauge' | 'observable_gauge';

/** Kinds exported as Prometheus counters (`_total`). */
const COUNTER_KINDS: ReadonlySet<InstrumentKind> = new Set(['counter', 'summed_counter']);

export interface MetricDefinition {
  /** The OpenTelemetry instrument name (dotted). */
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM unit, as the conventions give it (`s`, `{token}`, `USD`, `1`, `By`). */
  readonly unit: string;
  readonly description: string;
  /** The only attribute keys kept on this instrument; anything else is dropped (by its SDK view, or by the histogram itself). */
  readonly labels: readonly string[];
  /** Explicit histogram bucket boundaries (histograms only; required there). */
  readonly boundaries?: readonly number[];
}

/** Seconds-scale buckets for the gateway's own HTTP server: the semconv set, widened to 120 s for LLM calls. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 120] as const;

/** The GenAI client-duration advice (`gen-ai-metrics.md`), extended by two doublings for long thinking calls. */
export const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68] as const;

/** Admission-queue waits: most are zero, a queued request waits up to its deadline. */
export const QUEUE_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

const MODEL = ATTR_GEN_AI_REQUEST_MODEL;
const PROVIDER = ATTR_GEN_AI_PROVIDER_NAME;
const OPERATION = ATTR_GEN_AI_OPERATION_NAME;
const TOKEN_LABELS = [OPERATION, PROVIDER, MODEL] as const;

/**
 * Every instrument, keyed by a short id. Label sets are bounded by construction: models pass through the
 * `modelLabel` mapping (unknown ids become `other`), every other label has a closed value set. Caller ids,
 * keys and prompt text are never labels.
 */
export const METRICS = {
  // ------------------------------------------------------------------ HTTP server (the gateway's own surface)
  httpServerDuration: {
    name: METRIC_HTTP_SERVER_REQUEST_DURATION,
    kind: 'histogram',
    unit: 's',
    description: 'Duration of HTTP server requests, from the first byte read to the last byte written (every route except /metrics).',
    labels: [ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_ERROR_TYPE],
    boundaries: HTTP_DURATION_BUCKETS,
  },
  httpServerActiveRequests: {
    name: METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
    kind: 'summed_updowncounter',
    unit: '{request}',
    description: 'HTTP requests in flight on this instance (the GKE HPA scales on it; streams count for their whole duration).',
    labels: [],
  },
  requests: {
    name: 'gateway.requests',
    kind: 'summed_counter',
    unit: '{request}',
    description: 'Gemini API requests by model and outcome (probes and /metrics excluded).',
    labels: [MODEL, G.OUTCOME],
  },

  // ------------------------------------------------------------------ upstream Gemini (OTel GenAI conventions)
  genAiOperationDuration: {
    name: METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
    kind: 'histogram',
    unit: 's',
    description: 'Duration of each upstream Gemini call attempt; error.type is set when the attempt failed.',
    labels: [OPERATION, PROVIDER, MODEL, ATTR_ERROR_TYPE],
    boundaries: GEN_AI_DURATION_BUCKETS,
  },
  genAiTimeToFirstChunk: {
    name: METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
    kind: 'histogram',
    unit: 's',
    description: 'Time from sending an upstream Gemini streaming request to receiving its first chunk.',
    labels: [OPERATION, PROVIDER, MODEL],
    boundaries: GEN_AI_DURATION_BUCKETS,
  },
  genAiInputTokens: {
    name: METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS,
    kind: 'summed_counter',
    unit: '{token}',
    description: 'Input (prompt) tokens billed by Gemini, including cached tokens.',
    labels: TOKEN_LABELS,
  },
  genAiOutputTokens: {
    name: METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS,
    kind: 'summed_counter',
    unit: '{token}',
    description: 'Output tokens billed by Gemini, including reasoning (thinking) tokens.',
    labels: TOKEN_LABELS,
  },
  genAiCacheReadInputTokens: {
    name: METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS,
    kind: 'summed_counter',
    unit: '{token}',
    description: 'Input tokens Gemini served from its context cache (a subset of input tokens).',
    labels: TOKEN_LABELS,
  },
  genAiReasoningOutputTokens: {
    name: METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS,
    kind: 'summed_counter',
    unit: '{token}',
    description: 'Reasoning (thinking) tokens Gemini generated (a subset of output tokens).',
    labels: TOKEN_LABELS,
  },

  // ------------------------------------------------------------------ gateway policy
  retries: {
    name: 'gateway.upstream.retries',
    kind: 'counter',
    unit: '{retry}',
    description: 'Upstream calls retried, by the error that caused the retry.',
    labels: [PROVIDER, MODEL, ATTR_ERROR_TYPE],
  },
  fallbacks: {
    name: 'gateway.fallbacks',
    kind: 'counter',
    unit: '{fallback}',
    description: 'Requests moved to the next model of their fallback chain, by from-model, to-model and reason.',
    labels: [G.FALLBACK_FROM_MODEL, G.FALLBACK_TO_MODEL, G.FALLBACK_REASON],
  },
  breakerState: {
    name: 'gateway.breaker.state',
    kind: 'gauge',
    unit: '1',
    description: 'Circuit-breaker state per backend and model: 0 closed, 1 half-open, 2 open (see BREAKER_STATE_VALUES).',
    labels: [PROVIDER, MODEL],
  },
  breakerTransitions: {
    name: 'gateway.breaker.transitions',
    kind: 'counter',
    unit: '{transition}',
    description: 'Circuit-breaker state changes, by the state entered.',
    labels: [PROVIDER, MODEL, G.BREAKER_TO_STATE],
  },
  cacheLookups: {
    name: 'gateway.cache.lookups',
    kind: 'summed_counter',
    unit: '{lookup}',
    description: 'Response-cache lookups by result (hit, miss, bypass, coalesced onto an in-flight miss).',
    labels: [MODEL, G.CACHE_RESULT],
  },
  admissionDecisions: {
    name: 'gateway.admission.decisions',
    kind: 'summed_counter',
    unit: '{decision}',
    description: 'Admission decisions (rate limits, budgets, queue) by result and rejection reason.',
    labels: [MODEL, G.ADMISSION_RESULT, G.ADMISSION_REASON],
  },
  admissionQueueDuration: {
    name: 'gateway.admission.queue.duration',
    kind: 'histogram',
    unit: 's',
    description: 'Time a request waited in the admission queue before it was admitted or rejected.',
    labels: [MODEL, G.ADMISSION_RESULT],
    boundaries: QUEUE_WAIT_BUCKETS,
  },
  costUsd: {
    name: 'gateway.cost.usd',
    kind: 'summed_counter',
    unit: 'USD',
    description: 'Estimated spend in US dollars, priced from the gateway price table (cached tokens at the cached rate, thinking as output).',
    labels: [PROVIDER, MODEL],
  },
  budgetMaxSpentRatio: {
    name: 'gateway.budget.max_spent_ratio',
    kind: 'observable_gauge',
    unit: '1',
    description: 'The highest spent/limit budget ratio over all callers seen in the last hour (no caller label).',
    labels: [],
  },
  budgetCallers: {
    name: 'gateway.budget.callers',
    kind: 'observable_gauge',
    unit: '{caller}',
    description: 'Callers whose budget spent ratio is at or above each threshold (0.5, 0.8, 0.9, 1), over the last hour.',
    labels: [G.BUDGET_THRESHOLD],
  },
  stateBackendReachable: {
    name: 'gateway.state.backend.reachable',
    kind: 'gauge',
    unit: '1',
    description: 'Whether the shared-state backend answers (1) or not (0); while 0 the gateway enforces local limits.',
    labels: [G.STATE_BACKEND],
  },
  keyReloads: {
    name: 'gateway.key.reloads',
    kind: 'counter',
    unit: '{reload}',
    description: 'Upstream API-key reloads by outcome (changed, unchanged, failed).',
    labels: [G.KEY_RELOAD_OUTCOME],
  },

  // ------------------------------------------------------------------ Node runtime (saturation)
  eventLoopDelayP50: {
    name: METRIC_NODEJS_EVENTLOOP_DELAY_P50,
    kind: 'observable_gauge',
    unit: 's',
    description: 'Event-loop delay, 50th percentile, since the previous collection.',
    labels: [],
  },
  eventLoopDelayP99: {
    name: METRIC_NODEJS_EVENTLOOP_DELAY_P99,
    kind: 'observable_gauge',
    unit: 's',
    description: 'Event-loop delay, 99th percentile, since the previous collection.',
    labels: [],
  },
  eventLoopDelayMax: {
    name: METRIC_NODEJS_EVENTLOOP_DELAY_MAX,
    kind: 'observable_gauge',
    unit: 's',
    description: 'Event-loop delay, maximum, since the previous collection.',
    labels: [],
  },
  eventLoopUtilization: {
    name: METRIC_NODEJS_EVENTLOOP_UTILIZATION,
    kind: 'observable_gauge',
    unit: '1',
    description: 'Fraction of time the event loop was busy since the previous collection.',
    labels: [],
  },
  heapUsed: {
    name: METRIC_V8JS_MEMORY_HEAP_USED,
    kind: 'observable_gauge',
    unit: 'By',
    description: 'V8 heap memory used, per heap space.',
    labels: [ATTR_V8JS_HEAP_SPACE_NAME],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricId = keyof typeof METRICS;
export type Metric = (typeof METRICS)[MetricId];
/** The attribute object an instrument accepts: only its catalogue labels, each optional. */
export type LabelsOf<M extends MetricDefinition> = Partial<Record<M['labels'][number], string | number>>;
type OfKind<K extends InstrumentKind> = MetricDefinition & { readonly kind: K };

/** Breaker states as the `gateway.breaker.state` gauge encodes them. */
export const BREAKER_STATE_VALUES = { closed: 0, half_open: 1, open: 2 } as const;

/** The `error.type` the pipeline reports for an upstream 429 (quota exhausted). */
export const UPSTREAM_QUOTA_ERROR_TYPE = 'http_429';

/** Budget-ratio thresholds `gateway.budget.callers` counts callers at or above. */
export const BUDGET_THRESHOLDS = [0.5, 0.8, 0.9, 1] as const;

// ---------------------------------------------------------------------------------------------------------
// Prometheus names, as exporter-prometheus 0.301 writes them
// ---------------------------------------------------------------------------------------------------------

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
}

/** The Prometheus label name of an attribute key: `gen_ai.request.model` → `gen_ai_request_model`. */
export function promLabel(attribute: string): string {
  return sanitize(attribute);
}

/** The metric family name in the `# TYPE` line: counters end in `_total`, nothing carries a unit suffix. */
export function promName(metric: MetricDefinition): string {
  const base = sanitize(metric.name);
  return COUNTER_KINDS.has(metric.kind) && !base.endsWith('_total') ? `${base}_total` : base;
}

/** The series name of a counter (`…_total`). */
export function promTotal(metric: OfKind<'counter' | 'summed_counter'>): string {
  return promName(metric);
}

/** The `_bucket` series of a histogram. */
export function promBucket(metric: OfKind<'histogram'>): string {
  return `${promName(metric)}_bucket`;
}

/** The `_count` series of a histogram. */
export function promCount(metric: OfKind<'histogram'>): string {
  return `${promName(metric)}_count`;
}

/** The `_sum` series of a histogram. */
export function promSum(metric: OfKind<'histogram'>): string {
  return `${promName(metric)}_sum`;
}

/** Every series name one instrument produces in the exposition. */
export function promSeriesNames(metric: MetricDefinition): string[] {
  const name = promName(metric);
  return metric.kind === 'histogram' ? [`${name}_bucket`, `${name}_count`, `${name}_sum`] : [name];
}

/** The Prometheus `le` label value of a bucket boundary, as the exporter writes it (`20`, `0.005`, `+Inf`). */
export function promLe(boundary: number): string {
  return boundary === Infinity ? '+Inf' : String(boundary);
}

/** Every series name in the catalogue, for checking queries against it. */
export function allPromSeriesNames(): Set<string> {
  return new Set(Object.values(METRICS).flatMap((m) => promSeriesNames(m)));
}

/** The Prometheus labels a series can carry: its catalogue labels, plus `le` on buckets. */
export function promLabelsOf(metric: MetricDefinition): string[] {
  const labels = metric.labels.map(promLabel);
  return metric.kind === 'histogram' ? [...labels, 'le'] : labels;
}
