/**
 * The structured policy settings (callers, model routing, prices), their zod schemas and defaults. They are
 * set in the config file (or as JSON in the environment variable of the same setting) and validated at
 * start-up like every other setting.
 */
import { z } from 'zod';

export const modelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/, 'must be a model id like gemini-3.5-flash');
const callerId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (it appears in logs)');
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the key (`printf %s "$KEY" | sha256sum`)');

/** An identity as the gateway compares it: IAP's `accounts.google.com:` prefix dropped, case ignored. */
export function normaliseIdentity(value: string): string {
  return value.slice(value.lastIndexOf(':') + 1).trim().toLowerCase();
}

export const callerSchema = z.strictObject({
  id: callerId,
  /** SHA-256 (hex) of each key this caller may present; the keys themselves are never stored. */
  keySha256: z.array(sha256Hex).default([]),
  /** Verified identities (e.g. the emails IAP puts in its identity header) that act as this caller in `iam` mode. */
  identities: z.array(z.string().min(3)).default([]),
  /** Models (or aliases) the caller may use; unset: every model the gateway allows. */
  models: z.array(z.string().min(1)).optional(),
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  budget: z.strictObject({ usd: z.number().positive(), period: z.enum(['day', 'month']) }).optional(),
  /** `private`: cache hits only among this caller's own requests; `shared`: across callers; `off`. */
  cache: z.enum(['private', 'shared', 'off']).default('private'),
});
export type CallerPolicy = z.output<typeof callerSchema>;

export const routeRuleSchema = z.strictObject({
  /** Applies to these callers (all when unset). */
  callers: z.array(callerId).optional(),
  /** Applies to requests for these models or aliases (all when unset). */
  models: z.array(z.string().min(1)).optional(),
  /** Applies only when the estimated input is at most this many tokens. */
  maxInputTokens: z.number().int().positive().optional(),
  routeTo: modelId,
});
export type RouteRule = z.output<typeof routeRuleSchema>;

const isoDate = z.iso.date('must be a date like 2026-12-01');

export const modelPolicySchema = z.strictObject({
  /** Names app teams use instead of model ids: tiers like `fast`, `balanced`, `precise`. */
  aliases: z.record(z.string().min(1), modelId).default({}),
  /** Model ids Google has shut down or will: requests are remapped from `shutdown` on, with a deprecation header before. */
  retired: z.record(modelId, z.strictObject({ replacement: modelId, shutdown: isoDate })).default({}),
  /** Models to try, in order, when a model's breaker is open or its retries are spent. */
  fallbacks: z.record(modelId, z.array(modelId)).default({}),
  /** The upstream serving a model when the gateway has both; unset: the default upstream. */
  backends: z.record(modelId, z.enum(['ai-studio', 'vertex'])).default({}),
  /** Gateway-wide quota per model, mirroring the Google project's quota so it is never hit. */
  limits: z.record(modelId, z.strictObject({ rpm: z.number().int().positive().optional(), tpm: z.number().int().positive().optional() })).default({}),
  /** Concrete models the gateway serves at all; unset: any. */
  allow: z.array(modelId).optional(),
  /** Policy routing, first match wins (e.g. small prompts of a high-volume caller to Flash-Lite). */
  rules: z.array(routeRuleSchema).default([]),
});
export type ModelPolicy = z.output<typeof modelPolicySchema>;

/** USD per million tokens; `longContext` applies above its threshold of prompt tokens. */
const rateSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cachedInput: z.number().min(0),
  /** Audio input, where the model prices it apart (unset: the input rate). */
  audioInput: z.number().min(0).optional(),
  /** Cached audio input (unset: the cached input rate). */
  audioCachedInput: z.number().min(0).optional(),
});
export const priceEntrySchema = rateSchema.extend({
  model: modelId,
  /** First day (UTC) this price applies. */
  from: isoDate,
  longContext: rateSchema.extend({ aboveInputTokens: z.number().int().positive() }).optional(),
});
export type PriceEntry = z.output<typeof priceEntrySchema>;
export const priceTableSchema = z.array(priceEntrySchema);

/**
 * Built-in routing defaults as of 2026-11-22 (reference: shared/reference/gemini-protocol.md §4). Tiers
 * point at current models; retired ids follow Google's announced shutdowns and auto-routing.
 */
export const DEFAULT_MODEL_POLICY: ModelPolicy = {
  aliases: { fast: 'gemini-3.5-flash-lite', balanced: 'gemini-3.8-flash', precise: 'gemini-3.1-pro-preview' },
  retired: {
    'gemini-3-pro-preview': { replacement: 'gemini-3.1-pro-preview', shutdown: '2026-03-09' },
    'gemini-2.5-pro': { replacement: 'gemini-3.8-flash', shutdown: '2026-12-01' },
    'gemini-2.5-flash': { replacement: 'gemini-3.5-flash-lite', shutdown: '2026-12-01' },
  },
  fallbacks: {
    'gemini-3.1-pro-preview': ['gemini-3.8-flash', 'gemini-3.5-flash-lite'],
    'gemini-3.8-flash': ['gemini-3.5-flash-lite'],
    'gemini-3.5-flash': ['gemini-3.5-flash-lite'],
  },
  backends: {},
  limits: {},
  rules: [],
};
