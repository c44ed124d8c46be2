/**
 * Two gateway processes sharing one real Redis enforce ONE limit: N concurrent requests split across both
 * against an RPM limit of L, a TPM limit fitting K requests, or a money budget fitting B worst-case
 * requests admit exactly L, K and B in total — and the budget is never overshot. Without Redis (memory
 * mode) each process enforces the limit on its own, so two replicas admit twice as much: the contrast
 * that shows what Redis buys.
 *
 * Exactness without timing assumptions: every request asks for `maxOutputTokens: 1` with thinking off, and
 * the emulator then reports exactly the gateway's estimate (99 prompt tokens + 1 output token, checked in
 * the audit lines), so settling a finished request changes nothing and it does not matter whether some
 * requests finish before others are admitted.
 *
 * Minute windows: RPM and TPM count in fixed 60-s windows aligned on the epoch. A round that straddles a
 * boundary would see two windows and admit more. Each round first waits out the end of the current minute
 * when fewer than WINDOW_EDGE_MS remain (at most that long, and a round takes well under a second), then
 * records the window before the first request and after the last answer; if they differ anyway (a very
 * slow machine), the round is run once more with a spare caller whose counters are untouched. The budget
 * round does the same with its (daily) period.
 */
import { Redis } from 'ioredis';
import { budgetPeriod } from '../../service/pipeline/admit';
import { DEFAULT_PRICES } from '../../service/pipeline/account/price-table';
import { startRedis, type RedisServer } from '../support/redis';
import type { GatewayProcess } from '../support/process';
import { auditRecords, pollUntil, startGatewayProcesses, stopGatewayProcess } from './support/processes';
import { call, googleErrorProblem, retryInfoSeconds, sha256Hex, type Reply } from './support/traffic';

jest.setTimeout(120_000);

const MODEL = 'gemini-3.5-flash-lite';
/** 396 characters of prompt text: ceil(396 / 4) = 99 estimated input tokens. */
const PROMPT_CHARS = 396;
const INPUT_TOKENS = Math.ceil(PROMPT_CHARS / 4);
const MAX_OUTPUT_TOKENS = 1;
const TOKENS_PER_REQUEST = INPUT_TOKENS + MAX_OUTPUT_TOKENS;

const RPM_LIMIT = 20;
const RPM_REQUESTS = 60;
/** Room for 10 requests of 100 tokens and a remainder of 50 that fits none. */
const TPM_LIMIT = 10 * TOKENS_PER_REQUEST + TOKENS_PER_REQUEST / 2;
const TPM_FITS = Math.floor(TPM_LIMIT / TOKENS_PER_REQUEST);
const TPM_REQUESTS = 30;

/** The worst case of one request from the one price table: every estimated token in, every allowed token out. */
function worstCaseMicrosOfOne(day: string): number {
  const entry = DEFAULT_PRICES.filter((p) => p.model === MODEL && p.from <= day)
    .sort((a, b) => a.from.localeCompare(b.from))
    .at(-1);
  if (!entry) throw new Error(`no price for ${MODEL} on ${day}`);
  return Math.ceil(INPUT_TOKENS * entry.input + MAX_OUTPUT_TOKENS * entry.output);
}
const TODAY = new Date().toISOString().slice(0, 10);
const WORST_CASE_MICROS = worstCaseMicrosOfOne(TODAY);
const BUDGET_FITS = 15;
/** Room for 15 worst-case requests plus less than one more. */
const BUDGET_MICROS = BUDGET_FITS * WORST_CASE_MICROS + Math.floor(WORST_CASE_MICROS / 2);
const BUDGET_REQUESTS = 40;

const MINUTE_MS = 60_000;
const WINDOW_EDGE_MS = 5_000;

interface TestCaller {
  id: string;
  key: string;
  policy: Record<string, unknown>;
}

/** Two callers per limit: the second is the spare for a round that straddled a window. */
const pair = (kind: string, policy: Record<string, unknown>): [TestCaller, TestCaller] => [
  { id: `${kind}-0`, key: `system-${kind}-key-0`, policy },
  { id: `${kind}-1`, key: `system-${kind}-key-1`, policy },
];
const CALLERS: Record<'rpm' | 'tpm' | 'budget', [TestCaller, TestCaller]> = {
  rpm: pair('rpm', { rpm: RPM_LIMIT }),
  tpm: pair('tpm', { tpm: TPM_LIMIT }),
  budget: pair('budget', { budget: { usd: BUDGET_MICROS / 1_000_000, period: 'day' } }),
};

function gatewayEnv(extra: Record<string, string>): Record<string, string> {
  const callers = Object.values(CALLERS)
    .flat()
    .map((c) => ({ id: c.id, keySha256: [sha256Hex(c.key)], cache: 'off', ...c.policy }));
  return {
    GATEWAY_CALLERS: JSON.stringify(callers),
    GATEWAY_AUTH_MODE: 'keys',
    GATEWAY_QUEUE_TIMEOUT_MS: '0',
    GATEWAY_CACHE_TTL_SECONDS: '0',
    GATEWAY_DRAIN_SECONDS: '0',
    ...extra,
  };
}

/** Distinct prompts of identical length, so every request has the same estimate. */
function requestBody(index: number): string {
  const head = `shared limits request ${String(index).padStart(4, '0')} `;
  const text = head + 'x'.repeat(PROMPT_CHARS - head.length);
  return JSON.stringify({
    contents: [{ role: 'user', parts: [{ text }] }],
    generationConfig: { maxOutputTokens: MAX_OUTPUT_TOKENS, thinkingConfig: { thinkingBudget: 0 } },
  });
}

/** If the current minute ends within WINDOW_EDGE_MS, waits until just after it has. */
async function awayFromMinuteEdge(): Promise<void> {
  const left = MINUTE_MS - (Date.now() % MINUTE_MS);
  if (left < WINDOW_EDGE_MS) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

interface Round {
  caller: TestCaller;
  replies: Reply[];
}

/**
 * Sends `count` requests at once, alternating between the gateways, as `caller`; reruns once with the
 * spare caller if the round straddled a window of `windowOf`.
 */
async function concurrentRound(gateways: GatewayProcess[], callers: [TestCaller, TestCaller], count: number, windowOf: (ms: number) => string): Promise<Round> {
  for (const caller of callers) {
    await awayFromMinuteEdge();
    const before = windowOf(Date.now());
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        call(`${gateways[i % gateways.length]!.url}/v1beta/models/${MODEL}:generateContent`, { headers: { 'x-goog-api-key': caller.key }, body: requestBody(i) }),
      ),
    );
    if (windowOf(Date.now()) === before) return { caller, replies };
  }
  throw new Error('two rounds in a row straddled a window boundary');
}

const minuteOf = (ms: number): string => String(Math.floor(ms / MINUTE_MS));
const dayOf = (ms: number): string => budgetPeriod('day', ms).id;

const statuses = (replies: Reply[]): number[] => replies.map((r) => r.status);
const count = (replies: Reply[], status: number): number => replies.filter((r) => r.status === status).length;

interface RefusalBody {
  error: { status: string; message: string; details: Array<{ '@type': string; reason?: string }> };
}
const refusalOf = (reply: Reply): RefusalBody => JSON.parse(reply.text) as RefusalBody;
const errorInfoReasons = (replies: Reply[]): string[] =>
  replies.filter((r) => r.status === 429).flatMap((r) => refusalOf(r).error.details.filter((d) => d['@type'].endsWith('ErrorInfo')).map((d) => d.reason ?? ''));

/** Every refusal is Google's 429 RESOURCE_EXHAUSTED whose message names the limit, with RetryInfo and Retry-After. */
function expectRefusals(replies: Reply[], limitWording: string, maxRetrySeconds: number): void {
  for (const reply of replies.filter((r) => r.status !== 200)) {
    expect(googleErrorProblem(reply, 429, 429)).toBeUndefined();
    const body = refusalOf(reply);
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.message).toContain(limitWording);
    const delay = retryInfoSeconds(reply);
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(maxRetrySeconds);
    expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  }
}

/** The audit records both processes wrote for `callerId`, once as many as expected have arrived. */
async function auditsOf(gateways: GatewayProcess[], callerId: string, expected: number): Promise<Array<Record<string, unknown>>> {
  const collect = () => gateways.flatMap((g) => auditRecords(g.logs)).filter((a) => a.caller === callerId);
  await pollUntil(() => collect().length >= expected, 5_000);
  return collect();
}

describe('two gateway processes on one Redis', () => {
  let redis: RedisServer | undefined;
  let gateways: GatewayProcess[] = [];
  let client: Redis | undefined;
  let rpmRound: Reply[] = [];
  let tpmRound: Reply[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    gateways = await startGatewayProcesses([gatewayEnv({ REDIS_URL: redis.url }), gatewayEnv({ REDIS_URL: redis.url })]);
    client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
  });

  afterAll(async () => {
    client?.disconnect();
    await Promise.all(gateways.map((g) => stopGatewayProcess(g)));
    await redis?.stop();
  });

  test(`RPM: ${RPM_REQUESTS} concurrent requests over both processes against rpm ${RPM_LIMIT} → exactly ${RPM_LIMIT} answered, the rest 429 with RetryInfo`, async () => {
    const { caller, replies } = await concurrentRound(gateways, CALLERS.rpm, RPM_REQUESTS, minuteOf);
    expect(count(replies, 200)).toBe(RPM_LIMIT);
    expect(count(replies, 429)).toBe(RPM_REQUESTS - RPM_LIMIT);
    expect(statuses(replies).every((s) => s === 200 || s === 429)).toBe(true);
    expectRefusals(replies, 'the RPM limit is reached', 60);
    rpmRound = replies;
    // One audit record per admitted request, whichever process admitted it.
    expect(await auditsOf(gateways, caller.id, RPM_LIMIT)).toHaveLength(RPM_LIMIT);
  });

  test(`TPM: ${TPM_REQUESTS} concurrent requests of ${TOKENS_PER_REQUEST} estimated tokens against tpm ${TPM_LIMIT} → exactly ${TPM_FITS} answered`, async () => {
    const { caller, replies } = await concurrentRound(gateways, CALLERS.tpm, TPM_REQUESTS, minuteOf);
    expect(count(replies, 200)).toBe(TPM_FITS);
    expect(count(replies, 429)).toBe(TPM_REQUESTS - TPM_FITS);
    expectRefusals(replies, 'the TPM limit is reached', 60);
    tpmRound = replies;
    // The premise of exactness: the real usage equals the reservation, so settling released nothing.
    const audits = await auditsOf(gateways, caller.id, TPM_FITS);
    expect(audits).toHaveLength(TPM_FITS);
    for (const audit of audits) expect(audit.tokens).toEqual({ input: INPUT_TOKENS, cached: 0, output: MAX_OUTPUT_TOKENS, thinking: 0 });
  });

  // With GATEWAY_QUEUE_TIMEOUT_MS=0 nothing ever waits in the queue, so the ErrorInfo reason must name the
  // limit that refused (RPM/TPM) — not QUEUE_TIMEOUT, which `admit` reports whenever the Redis round trip
  // took a millisecond or more (`queuedMs > 0`), i.e. depending on timing.
  test('the ErrorInfo reason of a refusal names the limit that refused, not a queue the request never waited in', () => {
    expect(new Set(errorInfoReasons(rpmRound))).toEqual(new Set(['RPM']));
    expect(new Set(errorInfoReasons(tpmRound))).toEqual(new Set(['TPM']));
  });

  test(`budget: ${BUDGET_REQUESTS} concurrent requests, worst case ${WORST_CASE_MICROS} µ$ each, against ${BUDGET_MICROS} µ$ → exactly ${BUDGET_FITS} answered, never overshot`, async () => {
    const { caller, replies } = await concurrentRound(gateways, CALLERS.budget, BUDGET_REQUESTS, dayOf);
    const admitted = count(replies, 200);
    expect(admitted * WORST_CASE_MICROS).toBeLessThanOrEqual(BUDGET_MICROS);
    expect(admitted).toBe(Math.floor(BUDGET_MICROS / WORST_CASE_MICROS));
    expect(count(replies, 429)).toBe(BUDGET_REQUESTS - admitted);
    // A spent daily budget tells the caller to come back when the day (UTC) ends.
    expectRefusals(replies, `budget of caller ${caller.id} is spent`, 24 * 3600);
    expect(new Set(errorInfoReasons(replies))).toEqual(new Set(['BUDGET']));

    const audits = await auditsOf(gateways, caller.id, admitted);
    expect(audits).toHaveLength(admitted);
    const spentMicros = audits.reduce((sum, a) => sum + Math.round((a.costUsd as number) * 1_000_000), 0);
    expect(spentMicros).toBe(admitted * WORST_CASE_MICROS);
    expect(spentMicros).toBeLessThanOrEqual(BUDGET_MICROS);

    // Redis holds the one budget both processes charged: everything spent, nothing left held.
    const keys = await client!.keys(`gw:budget:*${caller.id}*`);
    const budget = keys.filter((key) => !key.includes(':held:'));
    expect(budget).toHaveLength(1);
    expect(Number(await client!.hget(budget[0]!, 'spent'))).toBe(spentMicros);
    const held = await Promise.all(keys.filter((key) => key.includes(':held:')).map((key) => client!.get(key)));
    expect(held.reduce((sum, value) => sum + Number(value ?? 0), 0)).toBe(0);
  });
});

describe('contrast: two gateway processes without Redis', () => {
  let gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    gateways = await startGatewayProcesses([gatewayEnv({}), gatewayEnv({})]);
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => stopGatewayProcess(g)));
  });

  test(`memory mode is per process: the same ${RPM_REQUESTS} requests admit ${RPM_LIMIT} on EACH process`, async () => {
    const { replies } = await concurrentRound(gateways, CALLERS.rpm, RPM_REQUESTS, minuteOf);
    expect(count(replies, 200)).toBe(2 * RPM_LIMIT);
    expect(count(replies.filter((_, i) => i % 2 === 0), 200)).toBe(RPM_LIMIT);
    expect(count(replies.filter((_, i) => i % 2 === 1), 200)).toBe(RPM_LIMIT);
  });
});
