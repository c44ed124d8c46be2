/**
 * Account stage: real tokens from the answer's `usageMetadata`, priced from the one price table, the
 * admission reservation settled with them (limits and budget), usage and budget reported as events, and
 * one audit record per request: who, which model was asked for and which answered, tokens, cost, cache,
 * retries, outcome, latency and a keyed fingerprint of the prompt (`prompt-hmac.ts`) — never the prompt
 * or a key.
 */
import { GatewayShuttingDown, GoogleApiError } from '../../protocol/errors';
import { budgetPeriod, type Admission, type Admitter } from '../admit';
import type { Caller } from '../authenticate';
import type { RequestFingerprint } from '../cache/key';
import { failedCallOf, type CallResult } from '../call';
import { errorTypeOf } from '../call/failures';
import type { CacheResult, PipelineEvents } from '../events';
import type { RouteDecision } from '../route';
import type { ModelCallPath } from '../../protocol/paths';
import { costMicros, microsToUsd, tokenCounts, totalTokens, type TokenCounts, type UsageMetadata } from './cost';
import type { PriceLookup } from './price-table';
import type { PromptHmac } from './prompt-hmac';
import type { BudgetStatus, CacheWrite } from '../../state/types';

export type Outcome = 'success' | 'upstream_error' | 'cancelled';

/** What admitting a fallback model reserved, and for which model. */
export interface FallbackAdmission {
  model: string;
  admission: Admission;
}

export interface AuditRecord {
  caller: string;
  method: string;
  modelRequested: string;
  modelUsed: string;
  backend: string;
  fallbackFrom?: string;
  cache: CacheResult;
  retries: number;
  outcome: Outcome;
  errorType?: string;
  status: number;
  latencyMs: number;
  tokens: TokenCounts;
  costUsd: number;
  /** False when the model had no price entry and the dearest known rates were used. */
  priced: boolean;
  /** HMAC-SHA256 (hex) of the prompt under the gateway's audit key: equal prompts, equal values. */
  promptHmac: string;
}

export interface AccountOptions {
  prices: PriceLookup;
  admitter: Admitter;
  events: PipelineEvents;
  audit: (record: AuditRecord) => void;
  promptHmac: PromptHmac;
  now?: () => number;
}

/**
 * What accounting needs of a call, and nothing of its body: a stream's record is written when the stream
 * ends, and whatever it holds until then stays in memory that long.
 */
export interface AccountedCall {
  path: ModelCallPath;
  inputTokens: number;
  /** The output tokens the request allows itself (its `maxOutputTokens`, else the gateway's default). */
  maxOutputTokens: number;
}

interface RecordInput {
  call: AccountedCall;
  caller: Caller;
  route: RouteDecision;
  key: RequestFingerprint;
  result: CallResult | undefined;
  admission: Admission | undefined;
  /** What fallback models the call stage turned to reserved (see the admit stage's `admitFallback`). */
  fallbackAdmissions?: readonly FallbackAdmission[];
  /** The unary body, or the last stream event that carried usage. */
  usageText: string | Buffer | undefined;
  outcome: Outcome;
  error: unknown;
  cache: CacheResult;
  startedMs: number;
  /** The answer to keep in the cache, written with the settlement (one round trip to shared state). */
  cacheWrite?: CacheWrite;
}

function parsedUsage(json: string): UsageMetadata | undefined {
  try {
    const usage = (JSON.parse(json) as { usageMetadata?: unknown }).usageMetadata;
    return typeof usage === 'object' && usage !== null ? usage : undefined;
  } catch {
    return undefined;
  }
}

/** A failed call's or read's outcome: the caller's own cancellation (499), or a failure. */
export function failureOutcome(error: unknown): Outcome {
  return error instanceof GoogleApiError && error.httpStatus === 499 ? 'cancelled' : 'upstream_error';
}

const USAGE_KEY = '"usageMetadata"';

/**
 * `usageMetadata` of a unary body or of a stream event; undefined when there is none or it is not JSON.
 * Gemini writes it after the candidates, so from the key's last occurrence to the end, behind a `{`, the
 * answer is an object of the remaining top-level fields: parsing that tail spares decoding and parsing
 * the candidates' text. Should the tail not parse (the key only quoted inside some text), the whole does.
 */
export function usageOfAnswer(answer: string | Buffer): UsageMetadata | undefined {
  const at = answer.lastIndexOf(USAGE_KEY);
  if (at < 0) return undefined;
  const tail = typeof answer === 'string' ? answer.slice(at) : answer.toString('utf8', at);
  return parsedUsage(`{${tail}`) ?? parsedUsage(typeof answer === 'string' ? answer : answer.toString('utf8'));
}

const EMBED_METHODS = new Set(['embedContent', 'batchEmbedContents', 'predict']);

/** Vertex's predict counts each embedded input's tokens (`predictions[].embeddings.statistics.token_count`). */
export function predictTokenCount(answer: string | Buffer): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof answer === 'string' ? answer : answer.toString('utf8'));
  } catch {
    return undefined;
  }
  const predictions = (parsed as { predictions?: unknown } | null)?.predictions;
  if (!Array.isArray(predictions)) return undefined;
  let total = 0;
  for (const prediction of predictions) {
    const count = (prediction as { embeddings?: { statistics?: { token_count?: unknown } } } | null)?.embeddings?.statistics?.token_count;
    if (typeof count !== 'number') return undefined;
    total += count;
  }
  return total;
}

export function accountFor(options: AccountOptions) {
  const now = options.now ?? Date.now;
  // The UTC day prices are looked up for: the daily budget period's id (computed once a day).
  const day = (): string => budgetPeriod('day', now()).id;

  function tokensOf(input: RecordInput): TokenCounts | undefined {
    const usage = input.usageText ? usageOfAnswer(input.usageText) : undefined;
    // Stopped by its caller, or by the gateway shutting down: Gemini bills what it generated until then.
    const stopped = input.outcome === 'cancelled' || input.error instanceof GatewayShuttingDown;
    // Stopped between attempts: the failed ones are not billed, and nothing was being generated.
    if (stopped && !usage && failedCallOf(input.error)?.answering === false) return { input: 0, cached: 0, output: 0, thinking: 0 };
    if (input.admission && stopped && usage?.candidatesTokenCount === undefined) {
      // The caller left before the answer ended: Gemini's usage before the last event counts the prompt only,
      // and how much it generated is unknown, so the output the request was allowed is charged, with the
      // prompt as counted (or estimated): budgets err on the safe side.
      const prompt = usage ? tokenCounts(usage) : { input: input.call.inputTokens, cached: 0, output: 0, thinking: 0 };
      return { ...prompt, output: input.call.maxOutputTokens };
    }
    if (usage) return tokenCounts(usage);
    // Embeddings answers carry no usage: they are billed on their input, as Vertex's predict counted it when it did.
    if (input.outcome === 'success' && EMBED_METHODS.has(input.call.path.method)) {
      const counted = input.call.path.method === 'predict' && input.usageText ? predictTokenCount(input.usageText) : undefined;
      return { input: counted ?? input.call.inputTokens, cached: 0, output: 0, thinking: 0 };
    }
    return input.outcome === 'upstream_error' ? { input: 0, cached: 0, output: 0, thinking: 0 } : undefined;
  }

  async function settle(input: RecordInput, tokens: TokenCounts | undefined, micros: number): Promise<void> {
    const admission = input.admission;
    if (!admission) return;
    const fallbacks = input.fallbackAdmissions ?? [];
    for (const [index, fallback] of fallbacks.entries()) {
      // Only the last fallback admitted can have answered (a chain may name a model twice).
      const answered = index === fallbacks.length - 1 && fallback.model === input.result?.model;
      await options.admitter.settleFallback(fallback.admission, tokens ? tokens.input + tokens.cached : undefined, answered).catch(() => undefined);
    }
    let status: BudgetStatus | undefined;
    if (tokens) {
      status = await options.admitter.settle(admission, { inputTokens: tokens.input + tokens.cached, totalTokens: totalTokens(tokens), costMicros: micros }, input.cacheWrite);
    } else {
      // Usage unknown (the caller left mid-stream): what was reserved is what is charged — budgets err on the safe side.
      const reserved = (key: string | undefined) => admission.reservation.counters.find((c) => c.key === key)?.amount ?? 0;
      status = await options.admitter.settle(admission, {
        inputTokens: reserved(admission.modelTokensKey),
        totalTokens: reserved(admission.callerTokensKey),
        costMicros: admission.reservation.budget?.amountMicros ?? 0,
      });
    }
    const budget = input.caller.policy.budget;
    if (budget && status) {
      options.events.budget({ callerId: input.caller.id, spentUsd: microsToUsd(status.spentMicros + status.reservedMicros), limitUsd: budget.usd });
    }
  }

  async function record(input: RecordInput): Promise<void> {
    const failed = failedCallOf(input.error);
    const model = input.result?.model ?? failed?.model ?? input.route.model;
    const backend = input.result?.backend ?? failed?.backend ?? input.route.backend;
    const tokens = tokensOf(input);
    const cost = costMicros(options.prices, model, day(), tokens ?? { input: 0, cached: 0, output: 0, thinking: 0 });
    await settle(input, tokens, cost.micros).catch(() => undefined);
    if (tokens && (tokens.input || tokens.output || tokens.cached || tokens.thinking)) {
      options.events.usage({ model, backend, inputTokens: tokens.input + tokens.cached, outputTokens: tokens.output, cachedTokens: tokens.cached, thinkingTokens: tokens.thinking, costUsd: microsToUsd(cost.micros) });
    }
    const status = input.error instanceof GoogleApiError ? input.error.httpStatus : input.outcome === 'cancelled' ? 499 : 200;
    options.audit({
      caller: input.caller.id,
      method: input.call.path.method,
      modelRequested: input.route.requestedModel,
      modelUsed: model,
      backend,
      ...(input.result?.fallbackFrom ? { fallbackFrom: input.result.fallbackFrom } : failed && failed.model !== input.route.model ? { fallbackFrom: input.route.model } : {}),
      cache: input.cache,
      retries: input.result?.retries ?? failed?.retries ?? 0,
      outcome: input.outcome,
      ...(input.error ? { errorType: errorTypeOf(input.error) } : {}),
      status,
      latencyMs: now() - input.startedMs,
      tokens: tokens ?? { input: 0, cached: 0, output: 0, thinking: 0 },
      costUsd: microsToUsd(cost.micros),
      priced: cost.priced,
      promptHmac: options.promptHmac(input.key.promptSha256),
    });
  }

  /**
   * A request answered without an upstream call of its own costs nothing; it is still audited: a cache hit,
   * or a request that joined an identical call in flight (`coalesced`; that call's own record carries the
   * tokens and the cost). `error`: the shared call failed, and so did this request.
   */
  function recordWithoutCall(input: Pick<RecordInput, 'call' | 'caller' | 'route' | 'key'>, cache: 'hit' | 'coalesced', error?: unknown): Promise<void> {
    options.audit({
      caller: input.caller.id,
      method: input.call.path.method,
      modelRequested: input.route.requestedModel,
      modelUsed: input.route.model,
      backend: input.route.backend,
      cache,
      retries: 0,
      outcome: error === undefined ? 'success' : failureOutcome(error),
      ...(error !== undefined && { errorType: errorTypeOf(error) }),
      status: error === undefined ? 200 : error instanceof GoogleApiError ? error.httpStatus : 500,
      latencyMs: 0,
      tokens: { input: 0, cached: 0, output: 0, thinking: 0 },
      costUsd: 0,
      priced: true,
      promptHmac: options.promptHmac(input.key.promptSha256),
    });
    return Promise.resolve();
  }

  return { now, day, record, recordWithoutCall };
}
