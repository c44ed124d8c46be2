/** Admission against the in-memory store, with a scripted clock: limits, queueing, budgets, throttling. */
import { callerSchema } from '../../config/policy';
import { GoogleApiError } from '../../protocol/errors';
import { MemoryAdmissionStore } from '../../state/memory-admission';
import { MemoryCacheStore } from '../../state/memory-cache';
import type { Caller } from '../authenticate';
import { NO_EVENTS } from '../events';
import { budgetPeriod, createAdmit } from './index';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const caller = (extra: Record<string, unknown>): Caller => ({ id: 'team-a', policy: callerSchema.parse({ id: 'team-a', ...extra }) });

function setup(options: { queueTimeoutMs?: number; modelLimits?: Record<string, { rpm?: number; tpm?: number }> } = {}) {
  let now = T0;
  const slept: number[] = [];
  const store = new MemoryAdmissionStore(new MemoryCacheStore({ maxBytes: 1_000_000 }));
  const admitter = createAdmit({
    store,
    modelLimits: options.modelLimits ?? {},
    queueTimeoutMs: options.queueTimeoutMs ?? 0,
    queueMaxWaiting: 10,
    events: NO_EVENTS,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  const request = (who: Caller, extra: Partial<Parameters<typeof admitter.admit>[0]> = {}) =>
    admitter.admit({ caller: who, model: 'gemini-3.5-flash', inputTokens: 100, maxOutputTokens: 100, worstCaseMicros: 1_000, signal: new AbortController().signal, ...extra });
  return { admitter, store, request, slept, advance: (ms: number) => (now += ms) };
}

async function rejectionOf(promise: Promise<unknown>): Promise<GoogleApiError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GoogleApiError);
  return error as GoogleApiError;
}

test('RPM: the limit admits exactly that many, then 429 with RetryInfo until the window ends', async () => {
  const { request } = setup();
  const team = caller({ rpm: 2 });
  await request(team);
  await request(team);
  const error = await rejectionOf(request(team));
  expect(error.httpStatus).toBe(429);
  expect(error.status).toBe('RESOURCE_EXHAUSTED');
  expect(error.retryDelaySeconds()).toBe(60);
});

test('a momentarily full limit waits in the queue instead of failing', async () => {
  const { request, slept, advance } = setup({ queueTimeoutMs: 5_000 });
  const team = caller({ rpm: 1 });
  advance(58_000); // 2 s before the minute's end
  await request(team);
  const admission = await request(team);
  expect(slept).toEqual([2_000]);
  expect(admission.queuedMs).toBe(2_000);
});

test('TPM counts input and allowed output; settling with real usage frees the difference', async () => {
  const { request, admitter } = setup();
  const team = caller({ tpm: 1_000 });
  const first = await request(team, { inputTokens: 200, maxOutputTokens: 600 }); // 800 reserved
  await expect(request(team, { inputTokens: 100, maxOutputTokens: 200 })).rejects.toMatchObject({ httpStatus: 429 });
  await admitter.settle(first, { inputTokens: 200, totalTokens: 250, costMicros: 0 }); // only 250 used
  await request(team, { inputTokens: 100, maxOutputTokens: 200 });
});

test('a single request larger than the limit is a 400 that says what to change, unless its answer is cached', async () => {
  const { request, admitter } = setup();
  const team = caller({ tpm: 100 });
  await expect(request(team, { inputTokens: 50, maxOutputTokens: 8192 })).rejects.toMatchObject({ httpStatus: 400, message: expect.stringMatching(/lower maxOutputTokens/) });
  const signal = new AbortController().signal;
  const big = { caller: team, model: 'gemini-3.5-flash', inputTokens: 50, maxOutputTokens: 8192, worstCaseMicros: 0, signal };
  await expect(admitter.admit(big, 'k')).rejects.toMatchObject({ httpStatus: 400 });
  // Stored by a caller whose limits allowed it (a shared cache): served, since a hit charges nothing.
  await admitter.settle(await request(caller({})), { inputTokens: 0, totalTokens: 0, costMicros: 0 }, { key: 'k', value: Buffer.from('U{}'), ttlMs: 60_000 });
  expect(await admitter.admit(big, 'k')).toEqual({ cached: Buffer.from('U{}') });
});

test('budget: reserved pessimistically, never overshot; settled at the real cost', async () => {
  const { request, admitter } = setup();
  const team = caller({ budget: { usd: 0.002, period: 'day' } }); // 2 000 micro-dollars
  const first = await request(team, { worstCaseMicros: 1_500 });
  const refused = await rejectionOf(request(team, { worstCaseMicros: 1_000 }));
  expect(refused.httpStatus).toBe(429);
  expect(refused.message).toMatch(/budget of caller team-a is spent/);
  // Settling reports the budget's totals after the move: spend is known without another round trip.
  expect(await admitter.settle(first, { inputTokens: 0, totalTokens: 0, costMicros: 400 })).toEqual({ spentMicros: 400, reservedMicros: 0 });
  const second = await request(team, { worstCaseMicros: 1_000 });
  const third = await request(team, { worstCaseMicros: 500 });
  expect(await admitter.settle(second, { inputTokens: 0, totalTokens: 0, costMicros: 100 })).toEqual({ spentMicros: 500, reservedMicros: 500 });
  await admitter.settle(third, { inputTokens: 0, totalTokens: 0, costMicros: 0 });
});

test('with a cache key, an answer in the cache comes back instead and nothing is charged', async () => {
  const { request, admitter } = setup();
  const team = caller({ rpm: 1 });
  const answer = Buffer.from('U{"candidates":[]}');
  const admission = await request(team);
  // The first request's answer is stored with its settlement; the next identical request finds it.
  await admitter.settle(admission, { inputTokens: 0, totalTokens: 0, costMicros: 0 }, { key: 'k1', value: answer, ttlMs: 60_000 });
  const signal = new AbortController().signal;
  const hit = await admitter.admit({ caller: team, model: 'gemini-3.5-flash', inputTokens: 1, maxOutputTokens: 1, worstCaseMicros: 0, signal }, 'k1');
  expect(hit).toEqual({ cached: answer });
  // The RPM of 1 was used by the first request only: a different key is refused, so nothing was charged for the hit.
  await expect(admitter.admit({ caller: team, model: 'gemini-3.5-flash', inputTokens: 1, maxOutputTokens: 1, worstCaseMicros: 0, signal }, 'k2')).rejects.toMatchObject({ httpStatus: 429 });
});

test('an upstream 429 throttles the model for every caller until its delay passes', async () => {
  const { request, admitter, advance } = setup();
  await admitter.throttle('gemini-3.5-flash', 3_000);
  const error = await rejectionOf(request(caller({})));
  expect(error.message).toMatch(/Gemini asked the gateway to slow down/);
  expect(error.retryDelaySeconds()).toBe(3);
  advance(3_001);
  await request(caller({}));
});

test('gateway-wide model quota applies across callers', async () => {
  const { request } = setup({ modelLimits: { 'gemini-3.5-flash': { rpm: 1 } } });
  await request({ ...caller({}), id: 'team-a' });
  await expect(request({ ...caller({}), id: 'team-b' })).rejects.toMatchObject({ httpStatus: 429 });
});

test("a later call of a request already counted is not charged the caller's rpm again, but is the model's and the tokens", async () => {
  const { request } = setup({ modelLimits: { 'gemini-3.5-flash': { rpm: 2 } } });
  const team = caller({ rpm: 1, tpm: 1_000 });
  await request(team);
  await request(team, { countsAsRequest: false });
  // The model's rpm (Google's quota) counts every call: both went there.
  expect((await rejectionOf(request(team, { countsAsRequest: false }))).message).toMatch(/RPM/);
  // The caller's tpm counted both calls' 200 tokens: 700 more is over 1 000.
  expect((await rejectionOf(request(team, { countsAsRequest: false, model: 'gemini-3.8-flash', inputTokens: 600 }))).message).toMatch(/TPM/);
  // A request of its own is counted: the caller's one of the minute is gone.
  expect((await rejectionOf(request(team, { model: 'gemini-3.8-flash' }))).message).toMatch(/RPM/);
});

test('budget periods end at UTC midnight and at the first of the month', () => {
  expect(budgetPeriod('day', T0)).toEqual({ id: '2026-11-22', endMs: Date.UTC(2026, 10, 23) });
  expect(budgetPeriod('month', T0)).toEqual({ id: '2026-11', endMs: Date.UTC(2026, 11, 1) });
  // Asked again within the period, and after it: the same answer, then the next period's.
  expect(budgetPeriod('day', T0 + 60_000)).toEqual({ id: '2026-11-22', endMs: Date.UTC(2026, 10, 23) });
  expect(budgetPeriod('day', Date.UTC(2026, 10, 23))).toEqual({ id: '2026-11-23', endMs: Date.UTC(2026, 10, 24) });
  expect(budgetPeriod('day', Date.UTC(2026, 10, 22, 23, 59, 59, 999))).toEqual({ id: '2026-11-22', endMs: Date.UTC(2026, 10, 23) });
});

describe('a fallback the call stage turns to', () => {
  const fallbackRequest = (who: Caller, model: string, worstCaseMicros: number) => ({
    caller: who,
    model,
    inputTokens: 100,
    maxOutputTokens: 100,
    worstCaseMicros,
    signal: new AbortController().signal,
  });

  test("is held to its own model limits, and refused at once when they are full", async () => {
    const { request, admitter } = setup({ modelLimits: { 'gemini-3.8-flash': { rpm: 1 } } });
    const team = caller({});
    const admitted = await request(team);
    await admitter.admitFallback(admitted, fallbackRequest(team, 'gemini-3.8-flash', 1_000));
    const refused = await rejectionOf(admitter.admitFallback(admitted, fallbackRequest(team, 'gemini-3.8-flash', 1_000)));
    expect(refused.httpStatus).toBe(429);
    expect(refused.message).toMatch(/fallback gemini-3.8-flash/);
  });

  test('holds what its worst case costs beyond the admitted one; settled, only the real cost stays spent', async () => {
    const { request, admitter } = setup();
    const team = caller({ budget: { usd: 0.005, period: 'day' } }); // 5 000 micro-dollars
    const admitted = await request(team, { worstCaseMicros: 1_000 });
    const fallback = await admitter.admitFallback(admitted, fallbackRequest(team, 'gemini-3.1-pro-preview', 4_000));
    // 1 000 + 3 000 held: another 1 001 does not fit.
    await rejectionOf(request(team, { worstCaseMicros: 1_001 }));
    await admitter.settleFallback(fallback, 100, true);
    expect(await admitter.settle(admitted, { inputTokens: 100, totalTokens: 150, costMicros: 700 })).toEqual({ spentMicros: 700, reservedMicros: 0 });
  });

  test('with its usage unknown, only the fallback that answered keeps its hold as spent: together its worst case', async () => {
    const { request, admitter } = setup();
    const team = caller({ budget: { usd: 0.01, period: 'day' } });
    const admitted = await request(team, { worstCaseMicros: 1_000 });
    const failed = await admitter.admitFallback(admitted, fallbackRequest(team, 'gemini-3.8-flash', 3_000));
    const answered = await admitter.admitFallback(admitted, fallbackRequest(team, 'gemini-3.1-pro-preview', 3_000));
    await admitter.settleFallback(failed, undefined, false);
    await admitter.settleFallback(answered, undefined, true);
    // The request's own reservation stands too (usage unknown): 1 000 + 2 000 is the answering model's worst case.
    const status = await admitter.settle(admitted, { inputTokens: 100, totalTokens: 1_100, costMicros: 1_000 });
    expect(status).toEqual({ spentMicros: 3_000, reservedMicros: 0 });
  });

  test('after its budget period has ended (the request crossed midnight) no extra hold is taken, and it is admitted', async () => {
    const { request, admitter, advance } = setup();
    const team = caller({ budget: { usd: 0.005, period: 'day' } });
    const admitted = await request(team, { worstCaseMicros: 1_000 });
    advance(12 * 60 * 60_000); // T0 is noon: now past midnight
    await expect(admitter.admitFallback(admitted, fallbackRequest(team, 'gemini-3.1-pro-preview', 4_000))).resolves.toMatchObject({ reservation: { counters: [] } });
  });
});
