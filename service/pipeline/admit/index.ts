/**
 * Admit stage: per-caller RPM/TPM, a gateway-wide per-model quota mirroring the Google project's, and a
 * per-caller budget in money — all reserved atomically in the shared store before the call (estimated
 * input + every allowed output token; the worst-case cost), then settled with the real usage. A limit
 * that is momentarily full makes the request wait (bounded queue, deadline) instead of failing at once,
 * and an upstream 429 slows admission for that model on every replica (adaptive throttling).
 */
import type { CallerPolicy } from '../../config/policy';
import { ERROR_INFO_TYPE, GoogleApiError, invalidArgument, retryInfo } from '../../protocol/errors';
import type { AdmissionStore, BudgetStatus, CacheWrite, CounterCharge, Reservation, ReservationRequest } from '../../state/types';
import type { Caller } from '../authenticate';
import type { AdmissionReason, PipelineEvents } from '../events';
import { abortableSleep, type Sleep } from '../abortable-sleep';

const MINUTE_MS = 60_000;

export interface AdmitOptions {
  store: AdmissionStore;
  /** Gateway-wide per-model limits (the Google project quota). */
  modelLimits: Readonly<Record<string, { rpm?: number; tpm?: number }>>;
  queueTimeoutMs: number;
  queueMaxWaiting: number;
  events: PipelineEvents;
  /**
   * The longest a request can hold its budget reservation: its upstream deadline and a margin for the
   * queue and the accounting. One never settled in a shared store lapses after this (and at most one
   * hold slot more).
   * Default: the store's (15 minutes).
   */
  budgetHoldMs?: number;
  now?: () => number;
  sleep?: Sleep;
}

export interface AdmitRequest {
  caller: Caller;
  model: string;
  inputTokens: number;
  maxOutputTokens: number;
  /** Worst-case cost of the request in micro-dollars. */
  worstCaseMicros: number;
  signal: AbortSignal;
  /**
   * `false` for a later upstream call of a client request already counted (see `SplitRequest`): the
   * caller's rpm counts client requests, so it is not charged again. The model's rpm, which mirrors the
   * Google project's quota, is: Google counts every call. Default `true`.
   */
  countsAsRequest?: boolean;
}

/** The answer the cache held (its stored bytes): the request needs no upstream call and no admission. */
export interface CachedInstead {
  cached: Buffer;
}

export interface Admission {
  reservation: Reservation;
  /** Keys of the token counters, to settle with real usage. */
  callerTokensKey?: string;
  modelTokensKey?: string;
  budgetKey?: string;
  queuedMs: number;
}

/** Settles real usage against what was reserved: tokens in and out, and the cost in micro-dollars. */
export interface ActualUsage {
  inputTokens: number;
  totalTokens: number;
  costMicros: number;
}

/** The periods last asked for, reused until they end: every admission asks, and periods are days long. */
const currentPeriods = new Map<'day' | 'month', { startMs: number; period: { id: string; endMs: number } }>();

/** The budget period a timestamp falls in: its key suffix and when it ends. */
export function budgetPeriod(period: 'day' | 'month', nowMs: number): { id: string; endMs: number } {
  const current = currentPeriods.get(period);
  if (current && nowMs >= current.startMs && nowMs < current.period.endMs) return current.period;
  const { startMs, ...computed } = computePeriod(period, nowMs);
  currentPeriods.set(period, { startMs, period: computed });
  return computed;
}

function computePeriod(period: 'day' | 'month', nowMs: number): { id: string; startMs: number; endMs: number } {
  const d = new Date(nowMs);
  if (period === 'day') {
    const startMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { id: d.toISOString().slice(0, 10), startMs, endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) };
  }
  return { id: d.toISOString().slice(0, 7), startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export const throttleKey = (model: string): string => `throttle:${model}`;

/** A request refused admission: a 429 with the reason and, when known, how long to wait (RetryInfo). */
export class AdmissionRefused extends GoogleApiError {
  constructor(
    readonly reason: AdmissionReason,
    message: string,
    retryAfterMs: number | undefined,
  ) {
    const details = [{ '@type': ERROR_INFO_TYPE, reason: reason.toUpperCase(), domain: 'gemini-gateway' }];
    if (retryAfterMs !== undefined) details.push(retryInfo(Math.max(0.001, retryAfterMs / 1000)) as (typeof details)[number]);
    super(429, message, { details });
  }
}

/** Adds a counter of `amount` under `limit` (none without a limit): true when it was added. */
type AddCounter = (key: string, limit: number | undefined, amount: number, reason: AdmissionReason) => boolean;

/** An `AddCounter` into `counters`, noting each key's reason; `tooLarge` decides about an amount no window could hold. */
function counterAdder(counters: CounterCharge[], reasons: Map<string, AdmissionReason>, tooLarge: (amount: number, limit: number, reason: AdmissionReason) => never): AddCounter {
  return (key, limit, amount, reason) => {
    if (limit === undefined) return false;
    if (amount > limit) tooLarge(amount, limit, reason);
    counters.push({ key, limit, amount, windowMs: MINUTE_MS });
    reasons.set(key, reason);
    return true;
  };
}

/** Why the store refused a reservation: the budget, a throttle, or the limit of the counter that refused. */
function refusalReason(result: { reason: 'limit' | 'budget' | 'throttled'; deniedKey: string }, reasons: ReadonlyMap<string, AdmissionReason>): AdmissionReason {
  return result.reason === 'limit' ? (reasons.get(result.deniedKey) ?? 'rpm') : result.reason;
}

/** The caller's budget in micro-dollars (0 without one). */
function budgetLimitMicros(request: AdmitRequest): number {
  return Math.round((request.caller.policy.budget?.usd ?? 0) * 1_000_000);
}

export function createAdmit(options: AdmitOptions) {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  let waiting = 0;

  function charges(request: AdmitRequest): { counters: CounterCharge[]; keys: Omit<Admission, 'reservation' | 'queuedMs'>; reasons: Map<string, AdmissionReason> } {
    const policy: CallerPolicy = request.caller.policy;
    const reasons = new Map<string, AdmissionReason>();
    const counters: CounterCharge[] = [];
    const keys: Omit<Admission, 'reservation' | 'queuedMs'> = {};
    const total = request.inputTokens + request.maxOutputTokens;
    const add = counterAdder(counters, reasons, (amount, limit) => {
      throw invalidArgument(`The request needs about ${amount} tokens, more than the limit of ${limit} per minute; lower maxOutputTokens or shorten the prompt.`);
    });
    if (request.countsAsRequest !== false) add(`rpm:caller:${request.caller.id}`, policy.rpm, 1, 'rpm');
    if (add(`tpm:caller:${request.caller.id}`, policy.tpm, total, 'tpm')) keys.callerTokensKey = `tpm:caller:${request.caller.id}`;
    if (addModelCharges(request, add)) keys.modelTokensKey = `tpm:model:${request.model}`;
    return { counters, keys, reasons };
  }

  /** The model's gateway-wide limits (the Google project's quota for it); true when its tokens are counted. */
  function addModelCharges(request: AdmitRequest, add: AddCounter): boolean {
    const modelLimit = options.modelLimits[request.model];
    add(`rpm:model:${request.model}`, modelLimit?.rpm, 1, 'rpm');
    // Google counts a project's TPM on input tokens.
    return add(`tpm:model:${request.model}`, modelLimit?.tpm, request.inputTokens, 'tpm');
  }

  /** With `cacheKey`: when the answer cache holds an answer under it, that comes back and nothing is charged. */
  function admit(request: AdmitRequest): Promise<Admission>;
  function admit(request: AdmitRequest, cacheKey: string): Promise<Admission | CachedInstead>;
  async function admit(request: AdmitRequest, cacheKey?: string): Promise<Admission | CachedInstead> {
    let planned: ReturnType<typeof charges>;
    try {
      planned = charges(request);
    } catch (error) {
      // Larger than a limit allows: never admitted, but an answer already in the cache is still served.
      if (cacheKey === undefined) throw error;
      const looked = await options.store.reserve({ counters: [], nowMs: now(), cacheKey });
      if (!looked.admitted && looked.reason === 'cached') return { cached: looked.cached };
      throw error;
    }
    const { counters, keys, reasons } = planned;
    const budget = request.caller.policy.budget;
    const started = now();
    const reserveRequest = (nowMs: number): ReservationRequest => {
      const out: ReservationRequest = { counters, throttleKey: throttleKey(request.model), nowMs, ...(cacheKey !== undefined && { cacheKey }) };
      if (budget) {
        const period = budgetPeriod(budget.period, nowMs);
        keys.budgetKey = `budget:${request.caller.id}:${period.id}`;
        out.budget = {
          key: keys.budgetKey,
          limitMicros: budgetLimitMicros(request),
          amountMicros: request.worstCaseMicros,
          periodEndMs: period.endMs,
          ...(options.budgetHoldMs !== undefined && { holdMs: options.budgetHoldMs }),
        };
      }
      return out;
    };

    let waited = false;
    for (;;) {
      const result = await options.store.reserve(reserveRequest(now()));
      const queuedMs = now() - started;
      // An answer that reached the cache while this request waited serves it as well as one there at once.
      if (!result.admitted && result.reason === 'cached') return { cached: result.cached };
      if (result.admitted) {
        options.events.admission({ model: request.model, admitted: true, queuedMs });
        return { reservation: result.reservation, ...keys, queuedMs };
      }
      const reason = refusalReason(result, reasons);
      if (reason === 'budget') {
        options.events.admission({ model: request.model, admitted: false, queuedMs, reason });
        throw new AdmissionRefused('budget', `The ${budget?.period ?? ''} budget of caller ${request.caller.id} is spent (or reserved by requests in flight).`, result.retryAfterMs);
      }
      const remaining = options.queueTimeoutMs - queuedMs;
      if (result.retryAfterMs > remaining || waiting >= options.queueMaxWaiting) {
        const finalReason: AdmissionReason = waiting >= options.queueMaxWaiting ? 'queue_full' : waited ? 'queue_timeout' : reason;
        options.events.admission({ model: request.model, admitted: false, queuedMs, reason: finalReason });
        const what = reason === 'throttled' ? `Gemini asked the gateway to slow down for ${request.model}` : `the ${reason.toUpperCase()} limit is reached`;
        throw new AdmissionRefused(finalReason, `Rate limited: ${what}. Retry after the delay in RetryInfo.`, result.retryAfterMs);
      }
      waiting++;
      try {
        await sleep(Math.max(1, result.retryAfterMs), request.signal);
        waited = true;
      } finally {
        waiting--;
      }
    }
  }

  /**
   * The call stage is about to send an admitted request to a fallback model (`request.model`). That model's
   * gateway-wide limits are reserved now, and so is what its worst case costs beyond `admission`'s, so the
   * fallback's Google quota and the caller's budget hold as they do for the model admitted. Nothing waits:
   * a fallback whose limits are full, or that Gemini asked to slow down for, is refused (AdmissionRefused)
   * and the call stage moves on. The returned admission is settled with `settleFallback`.
   */
  async function admitFallback(admission: Admission, request: AdmitRequest): Promise<Admission> {
    const counters: CounterCharge[] = [];
    const reasons = new Map<string, AdmissionReason>();
    const refuse = (reason: AdmissionReason, retryAfterMs?: number): never => {
      options.events.admission({ model: request.model, admitted: false, queuedMs: 0, reason });
      throw new AdmissionRefused(reason, `The fallback ${request.model} may not take the request: its ${reason === 'throttled' ? 'upstream asked to slow down' : `${reason.toUpperCase()} limit is reached`}.`, retryAfterMs);
    };
    const add = counterAdder(counters, reasons, (_amount, _limit, reason) => refuse(reason));
    const modelTokensKey = addModelCharges(request, add) ? `tpm:model:${request.model}` : undefined;
    const nowMs = now();
    const reserve: ReservationRequest = { counters, throttleKey: throttleKey(request.model), nowMs };
    const admittedBudget = admission.reservation.budget;
    const extraMicros = request.worstCaseMicros - (admittedBudget?.amountMicros ?? 0);
    // A request admitted in a budget period that has ended since (it crossed midnight) spends in that period.
    if (admittedBudget && admission.budgetKey && extraMicros > 0 && admittedBudget.periodEndMs > nowMs) {
      reserve.budget = { key: admission.budgetKey, limitMicros: budgetLimitMicros(request), amountMicros: extraMicros, periodEndMs: admittedBudget.periodEndMs, holdMs: admittedBudget.holdMs };
    }
    const result = await options.store.reserve(reserve);
    // No cache key was asked about, so a refusal is a limit, the budget or a throttle.
    if (!result.admitted && result.reason !== 'cached') return refuse(refusalReason(result, reasons), result.retryAfterMs);
    if (!result.admitted) throw new Error('A reservation without a cache key found a cached answer.');
    options.events.admission({ model: request.model, admitted: true, queuedMs: 0 });
    return { reservation: result.reservation, ...(modelTokensKey && { modelTokensKey }), ...(reserve.budget && { budgetKey: admission.budgetKey }), queuedMs: 0 };
  }

  /**
   * Settles what `admitFallback` reserved: the fallback model's tokens with the real input, and its extra
   * budget hold released (the whole cost is spent through the request's own admission). Without real usage
   * (the caller left mid-stream) the reservation of the fallback that answered stands, as the request's own
   * does: together they are its worst case. `answered`: whether this fallback is the model that answered.
   */
  function settleFallback(fallback: Admission, inputTokens: number | undefined, answered: boolean): Promise<BudgetStatus | undefined> {
    const actualAmounts: Record<string, number> = {};
    if (fallback.modelTokensKey && inputTokens !== undefined) actualAmounts[fallback.modelTokensKey] = inputTokens;
    const chargeHold = inputTokens === undefined && answered;
    return options.store.settle(fallback.reservation, { actualAmounts, actualBudgetMicros: fallback.budgetKey && !chargeHold ? 0 : undefined, nowMs: now() });
  }

  /**
   * Replaces the estimates with the real usage (in the windows they were charged in), and stores the answer
   * in the cache when given one; returns the budget's totals when the admission charged a budget.
   */
  function settle(admission: Admission, usage: ActualUsage, cacheWrite?: CacheWrite): Promise<BudgetStatus | undefined> {
    const actualAmounts: Record<string, number> = {};
    if (admission.callerTokensKey) actualAmounts[admission.callerTokensKey] = usage.totalTokens;
    if (admission.modelTokensKey) actualAmounts[admission.modelTokensKey] = usage.inputTokens;
    return options.store.settle(admission.reservation, { actualAmounts, actualBudgetMicros: admission.budgetKey ? usage.costMicros : undefined, nowMs: now(), ...(cacheWrite && { cacheWrite }) });
  }

  /** An upstream 429 with RetryInfo: hold admission for this model, on every replica, for that long. */
  async function throttle(model: string, delayMs: number): Promise<void> {
    await options.store.throttle(throttleKey(model), now() + delayMs, now());
  }

  return { admit, admitFallback, settle, settleFallback, throttle };
}

export type Admitter = ReturnType<typeof createAdmit>;
