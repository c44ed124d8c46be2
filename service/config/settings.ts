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
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

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
    doc: 'Google Cloud project for Vertex AI calls. Required with the vertex upstream.',
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
  upstreamTimeoutMs: { env: 'GATEWAY_UPSTREAM_TIMEOUT_MS', schema: positiveInt(300_000), doc: 'Deadline of one upstream call, headers to last byte, in ms.' },
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
    doc: 'On SIGTERM: stop accepting, let in-flight requests finish for up to this long, then exit 0.',
  },
  configFile: {
    env: 'GATEWAY_CONFIG_FILE',
    schema: z.string().min(1).optional(),
    doc: 'Optional JSON file with any of these settings under their camelCase keys; the environment wins.',
    example: './gateway.config.json',
  },
  redisUrl: {
    env: 'REDIS_URL',
    schema: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    doc: 'Shared state (limits, budgets, cache) in Redis, so every replica enforces one limit. Unset: in-process memory.',
    example: 'rediss://:auth-string@10.0.0.3:6378',
    secret: true,
  },
  stateFailureMode: {
    env: 'GATEWAY_STATE_FAILURE_MODE',
    schema: z.enum(['open', 'closed']).default('open'),
    doc: 'When Redis is unreachable: `open` keeps serving on local limits (and says so in a metric and a log line); `closed` refuses with 503.',
  },
  redisTimeoutMs: { env: 'GATEWAY_REDIS_TIMEOUT_MS', schema: positiveInt(250), doc: 'A Redis command slower than this (ms) counts as Redis being unreachable.' },
  logLevel: { env: 'LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), doc: 'Lowest severity written to the JSON log (stdout).' },
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
