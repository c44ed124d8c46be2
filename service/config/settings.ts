/**
 * Every setting the gateway and its emulator read: the one home of each setting's name, type, default and
 * documentation. The README table and `.env.example` are rendered from this list (`npm run docs`), and a
 * test fails when they drift.
 *
 * Where Google's SDKs already name a setting (GEMINI_API_KEY, GOOGLE_GENAI_USE_VERTEXAI,
 * GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_LOCATION, GOOGLE_GEMINI_BASE_URL, GOOGLE_VERTEX_BASE_URL) the same
 * name is used, so teams carry their habits over.
 */
import { z } from 'zod';
import { DEFAULT_MODEL_POLICY, callerSchema, modelId, modelPolicySchema, priceTableSchema } from './policy';
import { DEFAULT_KEY_PREFIX } from '../state/key-prefix';

export interface SettingSpec {
  /** Environment variable name; the config file uses the object key instead. */
  env: string;
  schema: z.ZodType;
  doc: string;
  /** Shown in `.env.example` instead of the default. */
  example?: string;
  /** Never printed, logged or echoed in an error message. */
  secret?: true;
}

/** Accepts a boolean from a config file or `true/false/1/0/yes/no` from the environment. */
const flag = (fallback: boolean) => z.union([z.boolean(), z.stringbool()]).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
/** A structured setting: an object in the config file, or the same object as JSON in the environment. */
const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
      return z.NEVER;
    }
  }, schema);
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
/** Shortest audit HMAC key accepted: 32 characters, e.g. the 64 hex digits of `openssl rand -hex 32`. */
export const AUDIT_HMAC_KEY_MIN_LENGTH = 32;

/** A list: comma-separated in the environment, an array in the config file. */
const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((part) => part.trim())
            .filter((part) => part !== '')
        : value,
    z.array(item),
  );

/** `projects/{project id or number}/locations/{location}/endpoints/{numeric id}`: the groups are the three parts. */
export const VERTEX_ENDPOINT_NAME = /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20})\/locations\/([a-z][a-z0-9-]*[a-z0-9])\/endpoints\/([1-9]\d{0,18})$/;

/** Which requests get an access line; `failures` means a status of 400 or above. */
export const ACCESS_LOG_MODES = ['all', 'failures', 'off'] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];

/** Where spans go (`OTEL_TRACES_EXPORTER`): see the setting's doc. */
export const TRACES_EXPORTERS = ['none', 'otlp', 'cloud-trace'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** Google's Telemetry API, which files OTLP spans in Cloud Trace: `cloud-trace`'s default endpoint. */
export const CLOUD_TRACE_OTLP_URL = 'https://telemetry.googleapis.com/v1/traces';

export const SETTINGS = {
  port: { env: 'PORT', schema: z.coerce.number().int().min(0).max(65535).default(8080), doc: 'TCP port the gateway listens on (0 picks a free one).' },
  host: { env: 'HOST', schema: z.string().min(1).default('0.0.0.0'), doc: 'Interface the gateway binds to.' },
  upstream: {
    env: 'GATEWAY_UPSTREAM',
    schema: z.enum(['emulator', 'ai-studio', 'vertex']).optional(),
    doc: 'Where Gemini calls go. Unset: `vertex` if GOOGLE_GENAI_USE_VERTEXAI is true, `ai-studio` if a key is given, else the embedded `emulator`.',
    example: 'ai-studio',
  },
  apiKey: {
    env: 'GEMINI_API_KEY',
    schema: z.string().min(1).optional(),
    doc: 'AI Studio API key. Prefer GEMINI_API_KEY_FILE in production, so the key never sits in the environment.',
    example: 'AIza...',
    secret: true,
  },
  apiKeyFile: {
    env: 'GEMINI_API_KEY_FILE',
    schema: z.string().min(1).optional(),
    doc: 'Path of a file holding the AI Studio API key (a Secret Manager volume mount on Cloud Run).',
    example: '/secrets/gemini/api-key',
  },
  useVertex: { env: 'GOOGLE_GENAI_USE_VERTEXAI', schema: flag(false), doc: 'Use Vertex AI (credentials from ADC) as the upstream.' },
  project: {
    env: 'GOOGLE_CLOUD_PROJECT',
    schema: z.string().min(1).optional(),
    doc: 'Google Cloud project: of Vertex AI calls (required with the vertex upstream), of the spans `OTEL_TRACES_EXPORTER=cloud-trace` sends (required with it), and of the trace links on log lines.',
    example: 'my-project',
  },
  location: { env: 'GOOGLE_CLOUD_LOCATION', schema: z.string().min(1).default('global'), doc: 'Vertex AI location (`global`, `us-central1`, …).' },
  geminiBaseUrl: {
    env: 'GOOGLE_GEMINI_BASE_URL',
    schema: url.default('https://generativelanguage.googleapis.com'),
    doc: 'Base URL of the AI Studio (Gemini Developer API) upstream; any Gemini-compatible server works.',
  },
  vertexBaseUrl: {
    env: 'GOOGLE_VERTEX_BASE_URL',
    schema: url.optional(),
    doc: 'Base URL of the Vertex AI upstream. Unset: `https://aiplatform.googleapis.com` for `global`, else `https://{location}-aiplatform.googleapis.com`.',
    example: 'https://us-central1-aiplatform.googleapis.com',
  },
  vertexEndpoint: {
    env: 'GATEWAY_VERTEX_ENDPOINT',
    schema: z
      .string()
      .regex(VERTEX_ENDPOINT_NAME, 'must be an endpoint resource name like projects/my-project/locations/europe-west1/endpoints/1234567890')
      .optional(),
    doc: 'A Vertex AI endpoint serving tuned or dedicated models (`projects/{p}/locations/{l}/endpoints/{id}`). Calls for the models in GATEWAY_VERTEX_ENDPOINT_MODELS, and calls addressed to this endpoint id, go to it, on its own region (`https://{l}-aiplatform.googleapis.com`, unless GOOGLE_VERTEX_BASE_URL is set).',
    example: 'projects/my-project/locations/europe-west1/endpoints/1234567890',
  },
  vertexEndpointModels: {
    env: 'GATEWAY_VERTEX_ENDPOINT_MODELS',
    schema: commaList(modelId).default([]),
    doc: 'The model names callers use for GATEWAY_VERTEX_ENDPOINT, comma-separated (a list in the config file). They are served by Vertex AI whatever the default upstream; give each a price in GATEWAY_PRICES.',
    example: 'support-flash-tuned,legal-flash-tuned',
  },
  upstreamTimeoutMs: { env: 'GATEWAY_UPSTREAM_TIMEOUT_MS', schema: positiveInt(300_000), doc: 'Deadline of one upstream call, headers to last byte, in ms.' },
  requestTimeoutMs: {
    env: 'GATEWAY_REQUEST_TIMEOUT_MS',
    schema: positiveInt(600_000),
    doc: "Deadline of one request's upstream work in all, in ms: every attempt, wait between retries and fallback, headers to last byte, counted from admission. No attempt starts after it and the one running is cut at it (504 DEADLINE_EXCEEDED, or a stream's terminal error event). Keep it under the platform's request timeout so callers get Google's error shape, with room for the count of a prompt with media by URI, which comes before admission (see the Admit stage).",
  },
  upstreamIdleTimeoutMs: {
    env: 'GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS',
    schema: positiveInt(60_000),
    doc: 'A stream that sends nothing for this long (ms) is ended with a DEADLINE_EXCEEDED error event.',
  },
  upstreamConnections: { env: 'GATEWAY_UPSTREAM_CONNECTIONS', schema: positiveInt(256), doc: 'Keep-alive connections kept per upstream origin.' },
  maxBodyBytes: {
    env: 'GATEWAY_MAX_BODY_BYTES',
    schema: positiveInt(128 * 1024 * 1024),
    doc: 'Largest request body accepted, in bytes (Gemini takes up to 100 MB of inline data in one request).',
  },
  drainSeconds: {
    env: 'GATEWAY_DRAIN_SECONDS',
    schema: nonNegativeInt(10),
    doc: 'On SIGTERM: stop accepting, let in-flight requests finish for up to this long, then exit 0. Model calls still running then end with a 503 UNAVAILABLE, retryable elsewhere (a stream with its terminal error event), and are audited as failed. Keep it under the platform\'s grace period.',
  },
  configFile: {
    env: 'GATEWAY_CONFIG_FILE',
    schema: z.string().min(1).optional(),
    doc: 'Optional JSON file with any of these settings under their camelCase keys; the environment wins.',
    example: './gateway.config.json',
  },
  redisUrl: {
    env: 'REDIS_URL',
    schema: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .refine((url) => URL.canParse(url), 'must be a valid URL (host, port and password as in rediss://:password@10.0.0.3:6378)')
      .optional(),
    doc: 'Shared state (limits, budgets, cache) in Redis, so every replica enforces one limit. Unset: in-process memory.',
    example: 'rediss://:auth-string@10.0.0.3:6378',
    secret: true,
  },
  redisUrlFile: {
    env: 'REDIS_URL_FILE',
    schema: z.string().min(1).optional(),
    doc: 'Path of a file holding REDIS_URL (GKE mounts secrets only as files); REDIS_URL wins when both are set.',
    example: '/secrets/redis-url/url',
  },
  redisKeyPrefix: {
    env: 'REDIS_KEY_PREFIX',
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits, or _ . : -').default(DEFAULT_KEY_PREFIX),
    doc: 'Put before every Redis key: gateways (or environments) sharing one Redis need different prefixes, or they share limits, budgets and cached answers.',
    example: 'staging:',
  },
  redisCaFile: {
    env: 'REDIS_CA_FILE',
    schema: z.string().min(1).optional(),
    doc: 'Path of a PEM file with the CA that signed the Redis server certificate (Memorystore in-transit encryption, `rediss://`).',
    example: '/secrets/redis-ca/ca.pem',
  },
  stateFailureMode: {
    env: 'GATEWAY_STATE_FAILURE_MODE',
    schema: z.enum(['open', 'closed']).default('open'),
    doc: 'When Redis is unreachable: `open` keeps serving on local limits (and says so in a metric and a log line); `closed` refuses with 503.',
  },
  redisTimeoutMs: { env: 'GATEWAY_REDIS_TIMEOUT_MS', schema: positiveInt(250), doc: 'A Redis command slower than this (ms) counts as Redis being unreachable. An answer that reached the socket in time counts as in time, even if this process was too busy to read it then.' },
  authMode: {
    env: 'GATEWAY_AUTH_MODE',
    schema: z.enum(['keys', 'iam', 'open']).optional(),
    doc: 'How callers are identified: `keys` (team keys in x-goog-api-key or Bearer, checked against GATEWAY_CALLERS), `iam` (a verified identity header set by IAP; Cloud Run IAM checks tokens but passes no identity on), `open` (one anonymous "local" caller). Unset: `keys` when callers are configured, `open` on the emulator.',
  },
  callers: {
    env: 'GATEWAY_CALLERS',
    schema: json(z.array(callerSchema)).default([]),
    doc: 'The callers (JSON array): id, keySha256 (hex SHA-256 of each key), identities, models, rpm, tpm, budget {usd, period}, cache. Each id, key and identity belongs to one caller: a repeat stops the gateway. See "Policies" in the README.',
    example: '[{"id":"team-a","keySha256":["<sha256 of the key>"],"rpm":600,"budget":{"usd":50,"period":"day"}}]',
  },
  callersFile: {
    env: 'GATEWAY_CALLERS_FILE',
    schema: z.string().min(1).optional(),
    doc: 'A JSON file with more callers, in the same shape (a mounted secret); read at start-up.',
    example: '/secrets/callers/callers.json',
  },
  auditHmacKey: {
    env: 'GATEWAY_AUDIT_HMAC_KEY',
    schema: z.string().min(AUDIT_HMAC_KEY_MIN_LENGTH, `must be at least ${AUDIT_HMAC_KEY_MIN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`).optional(),
    doc: 'Secret key of the audit lines\' `promptHmac` (an HMAC-SHA256 of the prompt), so the same prompt can be matched across replicas and restarts but not guessed back from the logs; make one with `openssl rand -hex 32`. Prefer GATEWAY_AUDIT_HMAC_KEY_FILE. Unset: a random key per process, so hashes match only within one process.',
    secret: true,
  },
  auditHmacKeyFile: {
    env: 'GATEWAY_AUDIT_HMAC_KEY_FILE',
    schema: z.string().min(1).optional(),
    doc: 'Path of a file holding GATEWAY_AUDIT_HMAC_KEY (a Secret Manager volume mount); GATEWAY_AUDIT_HMAC_KEY wins when both are set.',
    example: '/secrets/audit-hmac-key/key',
  },
  identityHeader: {
    env: 'GATEWAY_IDENTITY_HEADER',
    schema: z.string().min(1).default('x-goog-authenticated-user-email'),
    doc: 'In `iam` mode, the header carrying the verified caller identity (set by IAP; strip it at the edge so clients cannot forge it).',
  },
  models: {
    env: 'GATEWAY_MODELS',
    schema: json(modelPolicySchema).default(DEFAULT_MODEL_POLICY),
    doc: 'Model routing (JSON): aliases, retired ids, fallbacks, per-model backend, gateway-wide per-model limits, allow-list, routing rules. Default: built-in tiers and Google\'s announced shutdowns.',
    example: '{"aliases":{"fast":"gemini-3.5-flash-lite"},"fallbacks":{"gemini-3.1-pro-preview":["gemini-3.8-flash"]}}',
  },
  openaiModels: {
    env: 'GATEWAY_OPENAI_MODELS',
    schema: json(z.record(z.string().min(1).max(256), z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/, 'must be a Gemini model id or a gateway alias'))).default({}),
    doc: 'OpenAI-compatible routes: OpenAI-style model names (JSON object) mapped to a Gemini model id or a gateway alias, so code asking for `gpt-4o-mini` runs unchanged. A mapped request carries the `x-gateway-model-mapping` response header.',
    example: '{"gpt-4o-mini":"gemini-3.5-flash-lite","gpt-4o":"balanced","text-embedding-3-small":"gemini-embedding-001"}',
  },
  openaiAllowRemoteImages: {
    env: 'GATEWAY_OPENAI_ALLOW_REMOTE_IMAGES',
    schema: flag(false),
    doc: 'OpenAI-compatible routes: pass `http(s)` image URLs to Gemini as `fileData`, for Gemini to fetch (the gateway never fetches). Off: such an image is a 400; `data:` URLs always work.',
  },
  prices: {
    env: 'GATEWAY_PRICES',
    schema: json(priceTableSchema).optional(),
    doc: 'Price table (JSON array of dated entries, USD per 1M tokens: `input`, `output`, `cachedInput`, optional `audioInput` and `audioCachedInput` where audio costs more, and `longContext` rates above a prompt size) replacing the built-in one.',
    example: '[{"model":"gemini-3.8-flash","from":"2027-01-01","input":1.5,"output":7.5,"cachedInput":0.15}]',
  },
  cacheTtlSeconds: { env: 'GATEWAY_CACHE_TTL_SECONDS', schema: nonNegativeInt(300), doc: 'How long a complete successful answer is served from cache; 0 turns the cache off.' },
  cacheMaxBytes: { env: 'GATEWAY_CACHE_MAX_BYTES', schema: positiveInt(64 * 1024 * 1024), doc: 'Memory the in-process cache may hold, in bytes (least recently used answers go first).' },
  cacheMaxEntryBytes: {
    env: 'GATEWAY_CACHE_MAX_ENTRY_BYTES',
    schema: positiveInt(2 * 1024 * 1024),
    doc: 'Largest answer kept in the cache, in bytes (a stream counts all its events). A larger one is not cached: read back from Redis it would outlast GATEWAY_REDIS_TIMEOUT_MS and count as Redis being unreachable.',
  },
  retryMaxAttempts: { env: 'GATEWAY_RETRY_MAX_ATTEMPTS', schema: positiveInt(3), doc: 'Attempts per model (first call included) on 429/5xx/timeouts/resets, before the fallback chain.' },
  retryBaseDelayMs: { env: 'GATEWAY_RETRY_BASE_DELAY_MS', schema: positiveInt(200), doc: 'Base of the full-jitter exponential backoff, in ms.' },
  retryMaxDelayMs: { env: 'GATEWAY_RETRY_MAX_DELAY_MS', schema: positiveInt(10_000), doc: 'Longest single wait between attempts, in ms (a longer RetryInfo delay skips to the fallback).' },
  retryBudgetMs: { env: 'GATEWAY_RETRY_BUDGET_MS', schema: positiveInt(30_000), doc: 'Most total time one request may spend waiting between retries, in ms.' },
  breakerFailureRatio: { env: 'GATEWAY_BREAKER_FAILURE_RATIO', schema: z.coerce.number().gt(0).max(1).default(0.5), doc: 'Share of failed upstream calls (over the window) that opens a model\'s circuit breaker.' },
  breakerMinRequests: { env: 'GATEWAY_BREAKER_MIN_REQUESTS', schema: positiveInt(10), doc: 'Calls needed in the window before the breaker may open.' },
  breakerWindowMs: { env: 'GATEWAY_BREAKER_WINDOW_MS', schema: positiveInt(30_000), doc: 'Window over which the breaker measures failures, in ms.' },
  breakerHalfOpenAfterMs: { env: 'GATEWAY_BREAKER_HALF_OPEN_AFTER_MS', schema: positiveInt(15_000), doc: 'How long an open breaker waits before letting a probe through, in ms.' },
  queueTimeoutMs: { env: 'GATEWAY_QUEUE_TIMEOUT_MS', schema: nonNegativeInt(2_000), doc: 'How long a request may wait for a momentarily full limit before a 429, in ms (0: reject at once).' },
  queueMaxWaiting: { env: 'GATEWAY_QUEUE_MAX_WAITING', schema: nonNegativeInt(200), doc: 'Requests that may wait at once per replica; more are rejected at once.' },
  defaultMaxOutputTokens: { env: 'GATEWAY_DEFAULT_MAX_OUTPUT_TOKENS', schema: positiveInt(8_192), doc: 'Output tokens reserved (limits, budgets) for a request that sets no maxOutputTokens.' },
  maxInlineBytes: { env: 'GATEWAY_MAX_INLINE_BYTES', schema: positiveInt(100 * 1000 * 1000), doc: 'Largest total decoded inline data in one request, in bytes (Gemini: 100 MB; older deployments and Vertex: 20 MB).' },
  maxPdfBytes: { env: 'GATEWAY_MAX_PDF_BYTES', schema: positiveInt(50 * 1000 * 1000), doc: 'Largest decoded inline PDF, in bytes.' },
  maxParts: { env: 'GATEWAY_MAX_PARTS', schema: positiveInt(1_000), doc: 'Most parts (text, media, function calls) in one request.' },
  keyReloadSeconds: { env: 'GATEWAY_KEY_RELOAD_SECONDS', schema: z.coerce.number().positive().default(60), doc: 'How often the key file is re-read (Secret Manager volumes change without file events); also re-read at once after an upstream auth failure.' },
  keyGraceSeconds: { env: 'GATEWAY_KEY_GRACE_SECONDS', schema: nonNegativeInt(900), doc: 'How long the previous key stays usable as a fallback after a rotation.' },
  telemetry: {
    env: 'GATEWAY_TELEMETRY',
    schema: z.enum(['on', 'off']).default('on'),
    doc: 'Metrics at `GET /metrics` (Prometheus text) and traces; `off` records nothing (the benchmark compares both).',
  },
  metricsPort: {
    env: 'GATEWAY_METRICS_PORT',
    schema: z.coerce.number().int().min(1).max(65535).optional(),
    doc: 'Also serve `/metrics` on this port, e.g. to keep scrapes off the public listener (the app port keeps serving it too).',
    example: '9464',
  },
  tracesExporter: {
    env: 'OTEL_TRACES_EXPORTER',
    schema: z.enum(TRACES_EXPORTERS).default('none'),
    doc: 'Where spans go: `otlp` exports over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; `cloud-trace` exports them to Cloud Trace through Google\'s Telemetry API (OTLP/HTTP, protobuf), signed with the instance\'s own credentials (ADC) and billed to `GOOGLE_CLOUD_PROJECT`, which it needs; `none` exports none, and samples no trace of its own (requests keep a trace id, for their log lines).',
  },
  tracesEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    schema: url.optional(),
    doc: `Where exported spans are sent, the whole URL. Default: for \`otlp\`, \`OTEL_EXPORTER_OTLP_ENDPOINT\` plus \`/v1/traces\` (read by the exporter; \`http://localhost:4318\` without it); for \`cloud-trace\`, \`${CLOUD_TRACE_OTLP_URL}\`.`,
    example: 'http://otel-collector:4318/v1/traces',
  },
  traceSampleRatio: {
    env: 'OTEL_TRACES_SAMPLER_ARG',
    schema: z.coerce.number().min(0).max(1).default(0.1),
    doc: 'Share of new traces sampled (0–1; default 0.1, since tracing every request costs about a fifth of the gateway\'s CPU), at most `GATEWAY_TRACES_PER_SECOND` a second; a request whose caller sampled its trace is sampled too (up to `GATEWAY_CALLER_TRACES_PER_SECOND`). Only with an exporter (`OTEL_TRACES_EXPORTER`).',
  },
  tracesPerSecond: {
    env: 'GATEWAY_TRACES_PER_SECOND',
    schema: z.coerce.number().min(0).default(10),
    doc: 'Most new traces each instance samples a second, on top of the ratio (fractions allowed; `0` removes the cap). A sampled trace costs far more CPU than an unsampled one, so with a ratio alone tracing grows dearer with the load (in the benchmark, 10% sampled uncapped cost a quarter of the gateway\'s throughput at full load, and all of telemetry 8–22% with this cap): the cap bounds it, while a quiet instance still samples its full ratio. Traces a caller sampled are not counted here (see `GATEWAY_CALLER_TRACES_PER_SECOND`).',
  },
  callerTracesPerSecond: {
    env: 'GATEWAY_CALLER_TRACES_PER_SECOND',
    schema: z.coerce.number().min(0).default(100),
    doc: 'Most traces a caller sampled (its `traceparent` says so) that each instance records and exports a second, with an exporter (`0` removes the cap). An app whose OpenTelemetry SDK samples every request would otherwise have the gateway trace every one of its calls, at the CPU and trace-storage cost of tracing everything; beyond the cap the caller\'s trace shows its own call to the gateway, without the gateway\'s spans under it.',
  },
  spanExportDelayMs: {
    env: 'OTEL_BSP_SCHEDULE_DELAY',
    schema: positiveInt(200),
    doc: 'Longest wait, in ms, before finished spans are exported over OTLP. Default 200, not OpenTelemetry\'s 5000: spans held for seconds outlive V8\'s young generation, and exporting them sooner cost about 5% less CPU per request in the benchmark (10% sampling).',
  },
  spanExportBatchSize: { env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', schema: positiveInt(512), doc: 'Most spans sent in one OTLP export; a full batch is sent without waiting for the delay.' },
  spanQueueSize: { env: 'OTEL_BSP_MAX_QUEUE_SIZE', schema: positiveInt(2048), doc: 'Most finished spans held for export; beyond it new spans are dropped (and counted in a warning), never the requests.' },
  spanExportTimeoutMs: { env: 'OTEL_BSP_EXPORT_TIMEOUT', schema: positiveInt(30_000), doc: 'Deadline of one OTLP span export, in ms.' },
  serviceName: { env: 'OTEL_SERVICE_NAME', schema: z.string().min(1).default('gemini-gateway'), doc: 'The service name on metrics and traces.' },
  accessLog: {
    env: 'GATEWAY_ACCESS_LOG',
    schema: z.enum(ACCESS_LOG_MODES).default('all'),
    doc: 'Which requests get an access line (Cloud Logging `httpRequest`): `all`, `failures` (status 400 and above) or `off`. On Cloud Run, whose own request log records every request, the deployment sets `failures`: a line per request costs CPU (measured under Performance in the README) and log ingestion.',
  },
  logLevel: { env: 'LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), doc: 'Lowest severity written to the JSON log (stdout). Audit lines (one per model call) are written at every level but `silent`; `warn` keeps the access lines of 5xx answers only.' },
  emulatorPort: { env: 'EMULATOR_PORT', schema: z.coerce.number().int().min(0).max(65535).default(8090), doc: 'Port of the standalone emulator (`npm run emulator`); the embedded one takes a free loopback port.' },
  emulatorLatencyMs: { env: 'EMULATOR_LATENCY_MS', schema: nonNegativeInt(0), doc: 'Emulator: mean time before the first byte, in ms.' },
  emulatorLatencyJitterMs: { env: 'EMULATOR_LATENCY_JITTER_MS', schema: nonNegativeInt(0), doc: 'Emulator: standard deviation of that latency (normal distribution, cut at 0), in ms.' },
  emulatorChunkIntervalMs: { env: 'EMULATOR_CHUNK_INTERVAL_MS', schema: nonNegativeInt(0), doc: 'Emulator: pause between streamed chunks, in ms.' },
  emulatorFaults: {
    env: 'EMULATOR_FAULTS',
    schema: z.string().optional(),
    doc: 'Emulator: faults to inject, a JSON array of rules (see "The emulator" in the README).',
    example: '[{"kind":"status","status":503,"probability":0.1}]',
  },
  emulatorAdmin: {
    env: 'EMULATOR_ADMIN',
    schema: flag(false),
    doc: 'Emulator: enable the `/_emulator/*` admin endpoints (loopback callers only) to change faults at run time.',
  },
  emulatorApiKeys: {
    env: 'EMULATOR_API_KEYS',
    schema: z.string().optional(),
    doc: 'Emulator: comma-separated keys it accepts; unset accepts any key. Other keys get Google\'s API_KEY_INVALID.',
    example: 'key-a,key-b',
    secret: true,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
export type Settings = { [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };
