/**
 * Attribute and metric names, in three tiers (as opentelemetry-js-contrib's instrumentations keep them):
 *
 * 1. Stable names (`http.*`, `error.type`, `server.*`) are imported from `@opentelemetry/semantic-conventions`.
 * 2. Unstable names (`gen_ai.*`, Node runtime metrics) are COPIED here. The GenAI conventions moved to
 *    `open-telemetry/semantic-conventions-genai` in 2026 and are still "Development"; the package's
 *    `incubating` entry point carries only the old, deprecated GenAI names and its README asks consumers to
 *    copy what they use rather than import it at runtime. Copied from `docs/gen-ai/gen-ai-metrics.md`,
 *    `gen-ai-token-metrics.md` and `gen-ai-spans.md` (state of Oct 2026, see `reference/observability.md` §1).
 * 3. The gateway's own names live in {@link GATEWAY_ATTRIBUTES} under a `gateway.` prefix.
 *
 * No attribute key is written as a string literal anywhere else in `service/telemetry`.
 */
export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_SCHEME,
  ERROR_TYPE_VALUE_OTHER,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';

// ---------------------------------------------------------------------------------------------------------
// GenAI attributes (copied; unstable)
// ---------------------------------------------------------------------------------------------------------

/**
 * The name of the operation being performed.
 * @example generate_content
 * @experimental Development status in semantic-conventions-genai; may change.
 */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name' as const;

/**
 * The Generative AI provider as identified by the client or server instrumentation.
 * @example gcp.gemini
 * @experimental Development status; replaces the deprecated `gen_ai.system`.
 */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name' as const;

/**
 * The name of the GenAI model a request is being made to.
 * @example gemini-2.5-flash
 * @experimental Development status.
 */
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model' as const;

/**
 * The name of the model that generated the response.
 * @experimental Development status.
 */
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model' as const;

/**
 * Whether the request asked for a streamed response.
 * @experimental Development status.
 */
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream' as const;

/**
 * Array of reasons the model stopped generating tokens, one per candidate.
 * @example ["stop"]
 * @experimental Development status.
 */
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons' as const;

/**
 * Time to the first chunk of a streamed response, in seconds (span attribute).
 * @experimental Development status.
 */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk' as const;

/** Input tokens used, including cached tokens. @experimental Development status. */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens' as const;
/** Output tokens used, including reasoning tokens. @experimental Development status. */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens' as const;
/** Input tokens served from the provider's cache. @experimental Development status. */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens' as const;
/** Output tokens spent on reasoning ("thinking"). @experimental Development status. */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens' as const;

/**
 * Attributes the conventions mark opt-in because they carry prompt or response content. The gateway never
 * records them: `service/telemetry` drops them from every span (see `pipeline-events.ts`).
 * @experimental Development status.
 */
export const GEN_AI_CONTENT_ATTRIBUTES = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.prompt',
  'gen_ai.completion',
] as const;

/** Well-known `gen_ai.provider.name` values. @experimental Development status. */
export const GEN_AI_PROVIDER_NAME_VALUES = {
  /** generativelanguage.googleapis.com (AI Studio, the Gemini Developer API). */
  GCP_GEMINI: 'gcp.gemini',
  /** aiplatform.googleapis.com (Vertex AI). */
  GCP_VERTEX_AI: 'gcp.vertex_ai',
  /** A Google GenAI backend that is not known. */
  GCP_GEN_AI: 'gcp.gen_ai',
} as const;

/** Well-known `gen_ai.operation.name` values. @experimental Development status. */
export const GEN_AI_OPERATION_NAME_VALUES = {
  GENERATE_CONTENT: 'generate_content',
  EMBEDDINGS: 'embeddings',
} as const;

// ---------------------------------------------------------------------------------------------------------
// GenAI metrics (copied; unstable)
// ---------------------------------------------------------------------------------------------------------

/** Duration of a GenAI client operation. Histogram, `s`. @experimental Development status. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration' as const;
/** Time to the first chunk of a streamed response. Histogram, `s`. @experimental Development status. */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk' as const;
/** Input tokens, including cached ones. Counter, `{token}`. @experimental 2026 token-metric redesign. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS = 'gen_ai.client.inference.usage.input_tokens' as const;
/** Output tokens, including reasoning ones. Counter, `{token}`. @experimental 2026 token-metric redesign. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS = 'gen_ai.client.inference.usage.output_tokens' as const;
/** Input tokens read from the cache (subset of input). Counter. @experimental 2026 token-metric redesign. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.client.inference.usage.cache_read.input_tokens' as const;
/** Reasoning tokens (subset of output). Counter. @experimental 2026 token-metric redesign. */
export const METRIC_GEN_AI_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.client.inference.usage.reasoning.output_tokens' as const;

// ---------------------------------------------------------------------------------------------------------
// HTTP and Node runtime metrics that are not stable yet (copied from the incubating entry point, 1.45)
// ---------------------------------------------------------------------------------------------------------

/** Requests in flight. UpDownCounter, `{request}`. @experimental Development status in semconv 1.45. */
export const METRIC_HTTP_SERVER_ACTIVE_REQUESTS = 'http.server.active_requests' as const;
/** Event-loop delay, 50th percentile. Gauge, `s`. @experimental Development status in semconv 1.45. */
export const METRIC_NODEJS_EVENTLOOP_DELAY_P50 = 'nodejs.eventloop.delay.p50' as const;
/** Event-loop delay, 99th percentile. Gauge, `s`. @experimental Development status in semconv 1.45. */
export const METRIC_NODEJS_EVENTLOOP_DELAY_P99 = 'nodejs.eventloop.delay.p99' as const;
/** Event-loop delay, maximum. Gauge, `s`. @experimental Development status in semconv 1.45. */
export const METRIC_NODEJS_EVENTLOOP_DELAY_MAX = 'nodejs.eventloop.delay.max' as const;
/** Event-loop utilisation (0..1). Gauge, `1`. @experimental Development status in semconv 1.45. */
export const METRIC_NODEJS_EVENTLOOP_UTILIZATION = 'nodejs.eventloop.utilization' as const;
/** V8 heap memory used, per heap space. Gauge, `By`. @experimental Development status in semconv 1.45. */
export const METRIC_V8JS_MEMORY_HEAP_USED = 'v8js.memory.heap.used' as const;
/** The V8 heap space a `v8js.memory.heap.*` value belongs to. @experimental Development status. */
export const ATTR_V8JS_HEAP_SPACE_NAME = 'v8js.heap.space.name' as const;

/**
 * The Google Cloud project a resource's telemetry belongs to: Google's resource attribute, read by its
 * Telemetry API (not in the OpenTelemetry conventions).
 */
export const ATTR_GCP_PROJECT_ID = 'gcp.project_id' as const;

// ---------------------------------------------------------------------------------------------------------
// The gateway's own attributes
// ---------------------------------------------------------------------------------------------------------

/** Attribute keys the gateway defines; every value set is closed (see `service/pipeline/events.ts`). */
export const GATEWAY_ATTRIBUTES = {
  /** How a request ended: `success`, `client_error`, `upstream_error`, `rejected`, `cancelled`. */
  OUTCOME: 'gateway.outcome',
  /** Cache lookup result: `hit`, `miss`, `bypass`, `coalesced`. */
  CACHE_RESULT: 'gateway.cache.result',
  /** Admission result: `admitted`, `rejected`. */
  ADMISSION_RESULT: 'gateway.admission.result',
  /** Why admission rejected: `rpm`, `tpm`, `budget`, `throttled`, `queue_full`, `queue_timeout`. */
  ADMISSION_REASON: 'gateway.admission.reason',
  /** Milliseconds a request waited in the admission queue (span event attribute only). */
  ADMISSION_QUEUED_MS: 'gateway.admission.queued_ms',
  /** Backoff before a retry, in milliseconds (span event attribute only). */
  RETRY_DELAY_MS: 'gateway.retry.delay_ms',
  /** The model a fallback left. */
  FALLBACK_FROM_MODEL: 'gateway.fallback.from_model',
  /** The model a fallback went to. */
  FALLBACK_TO_MODEL: 'gateway.fallback.to_model',
  /** Why a fallback happened: `breaker_open`, `retries_exhausted`, `throttled`. */
  FALLBACK_REASON: 'gateway.fallback.reason',
  /** The circuit-breaker state a transition entered: `closed`, `half_open`, `open`. */
  BREAKER_TO_STATE: 'gateway.breaker.to_state',
  /** Which shared-state backend: `memory`, `redis`. */
  STATE_BACKEND: 'gateway.state.backend',
  /** Result of an API-key reload: `changed`, `unchanged`, `failed`. */
  KEY_RELOAD_OUTCOME: 'gateway.key.reload.outcome',
  /** Budget-ratio threshold a caller count refers to: `0.5`, `0.8`, `0.9`, `1`. */
  BUDGET_THRESHOLD: 'gateway.budget.threshold',
  /** A caller's budget spent/limit ratio after a settlement (span event attribute only). */
  BUDGET_SPENT_RATIO: 'gateway.budget.spent_ratio',
  /** Cost of one request in US dollars (span attribute only). */
  COST_USD: 'gateway.cost.usd',
  /** The caller (spans and logs only, NEVER a metric label). */
  CALLER_ID: 'gateway.caller.id',
  /** The pipeline stage a span covers. */
  STAGE: 'gateway.stage',
} as const;

/** Span event names for pipeline decisions recorded on the active span. */
export const GATEWAY_SPAN_EVENTS = {
  CACHE: 'gateway.cache',
  ADMISSION: 'gateway.admission',
  RETRY: 'gateway.retry',
  FALLBACK: 'gateway.fallback',
  BREAKER: 'gateway.breaker',
  BUDGET: 'gateway.budget',
} as const;
