/**
 * The state as the gateway builds it (`createState`) while Redis dies, stalls and comes back: `open` keeps
 * admitting on this replica's limits, `closed` refuses with StateUnavailableError, neither hangs, each
 * outage is logged once and its end once, and the limits are shared again once Redis answers.
 */
import type { Redis } from 'ioredis';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createState, type State } from '../../service/state/create';
import { withDeadline } from '../../service/state/deadline';
import type { FailureMode } from '../../service/state/reachability';
import { MemoryAdmissionStore } from '../../service/state/memory-admission';
import { MemoryCacheStore } from '../../service/state/memory-cache';
import { RedisAdmissionStore } from '../../service/state/redis-admission';
import { ResilientAdmissionStore } from '../../service/state/resilient';
import { StateUnavailableError } from '../../service/state/state-unavailable-error';
import type { AdmissionStore, Reservation, ReservationRequest } from '../../service/state/types';
import { createLogger } from '../../service/telemetry/logger';
import { startRedis, type RedisServer } from '../support/redis';
import { closeClients, connectedClient, freshPrefix, whenReady } from './redis-clients';

const MINUTE = 60_000;
const T0 = 29_000_000 * MINUTE;
const REDIS_TIMEOUT_MS = 250;
/** Fails a call that hangs; far above the timeout, so it never measures speed. */
const HANG_GUARD_MS = 5_000;

const request = (): ReservationRequest => ({ counters: [{ key: 'rpm:team-a', limit: 4, amount: 1, windowMs: MINUTE }], nowMs: T0 });

const BUDGET_KEY = 'budget:team-a';
/** A reservation of `micros` against team-a's budget of 1,000 µ$, whose period runs for another day. */
function budgetRequest(micros: number): ReservationRequest {
  const nowMs = Date.now();
  return { counters: [], budget: { key: BUDGET_KEY, limitMicros: 1_000, amountMicros: micros, periodEndMs: nowMs + 24 * 60 * MINUTE }, nowMs };
}

/** The answer cache rides in the admission store: written with a settlement, read with a reservation (here of nothing). */
function storeAnswer(store: AdmissionStore, key: string, text: string): Promise<unknown> {
  return store.settle({ counters: [] }, { actualAmounts: {}, cacheWrite: { key, value: Buffer.from(text), ttlMs: MINUTE } });
}

async function cachedAnswer(store: AdmissionStore, key: string): Promise<string | undefined> {
  const result = await store.reserve({ counters: [], nowMs: T0, cacheKey: key });
  return !result.admitted && result.reason === 'cached' ? result.cached.toString() : undefined;
}

interface Harness {
  server: RedisServer;
  state: State;
  /** Another gateway replica on the same Redis, without any fallback. */
  replica: AdmissionStore;
  replicaClient: Redis;
  keyPrefix: string;
  logs: Array<Record<string, unknown>>;
  transitions: boolean[];
}

async function startHarness(failureMode: FailureMode): Promise<Harness> {
  const server = await startRedis();
  const logs: Array<Record<string, unknown>> = [];
  const transitions: boolean[] = [];
  const keyPrefix = freshPrefix();
  const state = await createState({
    redisUrl: server.url,
    failureMode,
    redisTimeoutMs: REDIS_TIMEOUT_MS,
    logger: createLogger('info', { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
    onReachability: (reachable) => transitions.push(reachable),
    keyPrefix,
  });
  const replicaClient = await connectedClient(server.url);
  return { server, state, replica: new RedisAdmissionStore(replicaClient, { keyPrefix }), replicaClient, keyPrefix, logs, transitions };
}

async function stopHarness(harness: Harness): Promise<void> {
  await harness.state.health.close();
  await closeClients(harness.replicaClient);
  await harness.server.stop();
}

/** Reserves `times` times in a row; how many were admitted. */
async function admittedCount(store: AdmissionStore, times: number): Promise<number> {
  let admitted = 0;
  for (let i = 0; i < times; i += 1) if ((await withDeadline(store.reserve(request()), HANG_GUARD_MS)).admitted) admitted += 1;
  return admitted;
}

async function reservationFrom(store: AdmissionStore): Promise<Reservation> {
  const result = await withDeadline(store.reserve(request()), HANG_GUARD_MS);
  if (!result.admitted) throw new Error(`expected an admission, got ${JSON.stringify(result)}`);
  return result.reservation;
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function logsSaying(harness: Harness, text: string): Array<Record<string, unknown>> {
  return harness.logs.filter((line) => String(line.message).includes(text));
}

async function budgetReservation(store: AdmissionStore, micros: number): Promise<Reservation> {
  const result = await withDeadline(store.reserve(budgetRequest(micros)), HANG_GUARD_MS);
  if (!result.admitted) throw new Error(`expected an admission, got ${JSON.stringify(result)}`);
  return result.reservation;
}

/** What Redis holds as team-a's budget spend (µ$), read directly. */
async function spentInRedis(harness: Harness): Promise<number> {
  return Number((await harness.replicaClient.hget(`${harness.keyPrefix}budget:${BUDGET_KEY}`, 'spent')) ?? 0);
}

/** A resilient store (`open`) on `redis`, reachable when the test says so, not when the connection does. */
function storeWithReachability(redis: RedisAdmissionStore, reachable: () => boolean): ResilientAdmissionStore {
  return new ResilientAdmissionStore({
    redis,
    memory: new MemoryAdmissionStore(new MemoryCacheStore({ maxBytes: 1_000_000 })),
    reachability: { useRedis: () => Promise.resolve(reachable()), reportFailure: () => undefined },
    failureMode: 'open',
    timeoutMs: REDIS_TIMEOUT_MS,
  });
}

/** Redis answers again and both replicas are connected to it. */
async function backOnRedis(harness: Harness): Promise<void> {
  await eventually(() => !harness.state.health.degraded(), 'Redis to be reachable again');
  await whenReady(harness.replicaClient);
}

describe('failure mode open', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness('open');
  });
  afterEach(() => stopHarness(harness));

  test('Redis killed: admits on local limits and logs once; Redis back: limits are shared again and that is logged once', async () => {
    const { state, replica, server } = harness;
    // Shared: two here and two on the other replica fill the limit of 4 for both.
    expect(await admittedCount(state.admission, 2)).toBe(2);
    expect(await admittedCount(replica, 2)).toBe(2);
    expect(await admittedCount(state.admission, 1)).toBe(0);
    await storeAnswer(state.admission, 'answer', 'from redis');
    expect(await cachedAnswer(replica, 'answer')).toBe('from redis');

    await server.kill();
    // This replica's own window: 4 more admitted, then refused.
    const local = await reservationFrom(state.admission);
    const laterLocal = await reservationFrom(state.admission);
    expect(await admittedCount(state.admission, 3)).toBe(2);
    expect(state.health.degraded()).toBe(true);
    expect(await state.health.ready()).toBe(true);
    // A reservation charged in memory settles in memory: giving it back makes room for one more.
    await state.admission.settle(local, { actualAmounts: { 'rpm:team-a': 0 } });
    expect(await admittedCount(state.admission, 2)).toBe(1);
    // The cache carries on locally (what Redis held is out of reach).
    expect(await cachedAnswer(state.admission, 'answer')).toBeUndefined();
    await storeAnswer(state.admission, 'answer', 'from memory');
    expect(await cachedAnswer(state.admission, 'answer')).toBe('from memory');

    await server.restart();
    await backOnRedis(harness);
    // A new, empty Redis (no persistence), shared by both replicas once more.
    expect(await admittedCount(state.admission, 2)).toBe(2);
    expect(await admittedCount(replica, 3)).toBe(2);
    expect(await admittedCount(state.admission, 1)).toBe(0);
    // A reservation charged in memory during the outage still settles there, never against Redis's count.
    await state.admission.settle(laterLocal, { actualAmounts: { 'rpm:team-a': 0 } });
    expect(await admittedCount(replica, 1)).toBe(0);

    expect(logsSaying(harness, 'unreachable')).toEqual([expect.objectContaining({ severity: 'WARNING', backend: 'redis', failureMode: 'open' })]);
    expect(logsSaying(harness, 'reachable again')).toEqual([expect.objectContaining({ severity: 'INFO', backend: 'redis' })]);
    expect(harness.transitions).toEqual([true, false, true]);
  });

  test("an outage's budget spend, charged in memory, is added to Redis's budget once Redis is reachable again", async () => {
    const { state, replica, server } = harness;
    await server.kill();
    // Charged and settled in this replica's memory: Redis never sees it.
    await state.admission.settle(await budgetReservation(state.admission, 400), { actualAmounts: {}, actualBudgetMicros: 400 });
    expect(state.health.degraded()).toBe(true);

    await server.restart();
    await backOnRedis(harness);
    // Paid back as soon as Redis is reachable again, with no request needed.
    await eventually(async () => (await spentInRedis(harness)) === 400, "the outage's spend in Redis");
    // Shared again: the other replica finds 600 of the 1,000 left, not all of it.
    expect((await replica.reserve(budgetRequest(601))).admitted).toBe(false);
    expect((await replica.reserve(budgetRequest(600))).admitted).toBe(true);
  });

  test('a settlement not sent, Redis known to be unreachable, is added to its budget once it answers again', async () => {
    const { state, server } = harness;
    const reservation = await budgetReservation(state.admission, 500);
    await server.kill();
    // A failed command tells this replica Redis is unreachable; settlements after it are not sent.
    expect(await admittedCount(state.admission, 1)).toBe(1);
    await state.admission.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 120 });

    await server.restart();
    await backOnRedis(harness);
    expect(await admittedCount(state.admission, 1)).toBe(1);
    await eventually(async () => (await spentInRedis(harness)) === 120, 'the settlement in Redis');
  });

  test("the estimate of a settlement not sent is released once Redis answers again, not when its hold lapses", async () => {
    const { server, keyPrefix, replica } = harness;
    const client = await connectedClient(server.url);
    let reachable = true;
    const store = storeWithReachability(new RedisAdmissionStore(client, { keyPrefix }), () => reachable);
    try {
      // Charged in Redis: 800 of the 1,000 µ$ held.
      const reservation = await budgetReservation(store, 800);
      reachable = false;
      await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 120 });
      // Until Redis hears of it, the estimate still holds there: another replica finds 200 left.
      expect((await replica.reserve(budgetRequest(201))).admitted).toBe(false);
      reachable = true;
      await store.payBack();
      expect(await spentInRedis(harness)).toBe(120);
      // The 800 held is released, the 120 spent counts: 880 left.
      expect((await replica.reserve(budgetRequest(881))).admitted).toBe(false);
      expect((await replica.reserve(budgetRequest(880))).admitted).toBe(true);
    } finally {
      await closeClients(client);
    }
  });

  test('a repayment that timed out yet ran in Redis is not added again when it is retried', async () => {
    const { server, keyPrefix } = harness;
    const client = await connectedClient(server.url);
    let reachable = false;
    let answerLate = true;
    /** Runs a repayment in Redis, then answers after the deadline: as a Redis that stalls just after a command would. */
    class LateRepayments extends RedisAdmissionStore {
      override async addSpent(...args: Parameters<RedisAdmissionStore['addSpent']>): Promise<void> {
        await super.addSpent(...args);
        if (answerLate) await new Promise((resolve) => setTimeout(resolve, REDIS_TIMEOUT_MS * 2));
      }
    }
    const store = storeWithReachability(new LateRepayments(client, { keyPrefix }), () => reachable);
    try {
      await store.settle(await budgetReservation(store, 400), { actualAmounts: {}, actualBudgetMicros: 400 });
      reachable = true;
      await store.payBack();
      expect(await spentInRedis(harness)).toBe(400);
      answerLate = false;
      await store.payBack();
      expect(await spentInRedis(harness)).toBe(400);
      // Confirmed: nothing is owed any more.
      await store.payBack();
      expect(await spentInRedis(harness)).toBe(400);
    } finally {
      await closeClients(client);
    }
  });

  test('spend owed while a repayment is on its way is paid too, and all of it before the state closes', async () => {
    const { server, keyPrefix } = harness;
    const client = await connectedClient(server.url);
    let reachable = false;
    /** Answers each repayment a little later, within the deadline: time for more spend to be owed meanwhile. */
    class SlowRepayments extends RedisAdmissionStore {
      override async addSpent(...args: Parameters<RedisAdmissionStore['addSpent']>): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, REDIS_TIMEOUT_MS / 5));
        await super.addSpent(...args);
      }
    }
    const store = storeWithReachability(new SlowRepayments(client, { keyPrefix }), () => reachable);
    try {
      // Two requests admitted during the outage; one ends before Redis is back, the other while it is being repaid.
      const [first, second] = [await budgetReservation(store, 400), await budgetReservation(store, 100)];
      await store.settle(first, { actualAmounts: {}, actualBudgetMicros: 400 });
      reachable = true;
      const repaying = store.payBack();
      await store.settle(second, { actualAmounts: {}, actualBudgetMicros: 100 });
      await store.payBackAll();
      expect(await spentInRedis(harness)).toBe(500);
      await repaying;
    } finally {
      await closeClients(client);
    }
  });

  test('a settlement sent to a stalled Redis is not owed as well: Redis runs it when it resumes, and it counts once', async () => {
    const { state, server } = harness;
    const reservation = await budgetReservation(state.admission, 500);
    server.pause();
    await state.admission.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 120 });
    server.resume();
    await backOnRedis(harness);
    await eventually(async () => (await spentInRedis(harness)) === 120, 'the settlement to run when Redis resumed');
    // Commands Redis answers, each of which would be followed by anything owed.
    expect(await admittedCount(state.admission, 2)).toBe(2);
    await withDeadline(state.admission.settle(await budgetReservation(state.admission, 1), { actualAmounts: {}, actualBudgetMicros: 1 }), HANG_GUARD_MS);
    expect(await spentInRedis(harness)).toBe(121);
  });

  test('Redis stalled: a command is abandoned at the timeout and served locally; Redis answering again is noticed', async () => {
    const { state, server } = harness;
    expect(await admittedCount(state.admission, 1)).toBe(1);

    server.pause();
    expect(await admittedCount(state.admission, 2)).toBe(2);
    expect(state.health.degraded()).toBe(true);

    server.resume();
    await backOnRedis(harness);
    expect(logsSaying(harness, 'unreachable')).toHaveLength(1);
    expect(logsSaying(harness, 'reachable again')).toHaveLength(1);
    expect(harness.transitions).toEqual([true, false, true]);
  });

  test('this process stalling past the timeout while Redis answers is not Redis being unreachable', async () => {
    const { state, replica } = harness;
    expect(await admittedCount(state.admission, 1)).toBe(1);

    // The command is sent before the stall, and Redis answers it within a millisecond; the answer waits in
    // the socket while this process is busy (a long synchronous task, a collection, a CPU-throttled
    // container) for twice the timeout. When the process runs again, the expired timer is due before the
    // socket is read.
    const reserved = withDeadline(state.admission.reserve(request()), HANG_GUARD_MS);
    setImmediate(() => {
      const until = performance.now() + 2 * REDIS_TIMEOUT_MS;
      while (performance.now() < until);
    });
    expect((await reserved).admitted).toBe(true);

    expect(state.health.degraded()).toBe(false);
    expect(logsSaying(harness, 'unreachable')).toEqual([]);
    expect(harness.transitions).toEqual([true]);
    // Charged in Redis, shared with the other replica: 2 here, so 2 more there fill the limit of 4.
    expect(await admittedCount(replica, 3)).toBe(2);
  });
});

describe('failure mode closed', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness('closed');
  });
  afterEach(() => stopHarness(harness));

  test('Redis killed: refuses with StateUnavailableError at once and is not ready; Redis back: admits again', async () => {
    const { state, server } = harness;
    const beforeOutage = await reservationFrom(state.admission);
    expect(await state.health.ready()).toBe(true);

    await server.kill();
    await expect(withDeadline(state.admission.reserve(request()), HANG_GUARD_MS)).rejects.toBeInstanceOf(StateUnavailableError);
    // Bookkeeping after an upstream call that already happened never fails it.
    await expect(state.admission.settle(beforeOutage, { actualAmounts: { 'rpm:team-a': 0 } })).resolves.toBeUndefined();
    await expect(state.admission.throttle('model:pro', T0 + 1_000, T0)).resolves.toBeUndefined();
    // A cached answer needs no shared limit, so the local cache still serves one; a miss needs Redis.
    await expect(cachedAnswer(state.admission, 'answer')).rejects.toBeInstanceOf(StateUnavailableError);
    await storeAnswer(state.admission, 'answer', 'from memory');
    expect(await cachedAnswer(state.admission, 'answer')).toBe('from memory');
    expect(await state.health.ready()).toBe(false);
    expect(state.health.degraded()).toBe(true);

    await server.restart();
    await backOnRedis(harness);
    expect(await admittedCount(state.admission, 1)).toBe(1);
    expect(await state.health.ready()).toBe(true);

    expect(logsSaying(harness, 'unreachable')).toEqual([expect.objectContaining({ severity: 'WARNING', failureMode: 'closed' })]);
    expect(logsSaying(harness, 'reachable again')).toHaveLength(1);
    expect(harness.transitions).toEqual([true, false, true]);
  });
});

describe('Redis unreachable from the start', () => {
  /** Accepts connections and never answers, as a Redis behind a dead route or a stuck proxy would look. */
  let silent: Server;
  const accepted = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    accepted.forEach((socket) => socket.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });
  const silentUrl = (): string => `redis://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  /** Port 1 on loopback is privileged: no test server listens there, so connections are refused. */
  const refusingUrl = (): string => 'redis://127.0.0.1:1';

  test.each([
    ['open', 'refuses connections', refusingUrl, (state: State) => expect(state.admission.reserve(request())).resolves.toMatchObject({ admitted: true })],
    ['open', 'never answers', silentUrl, (state: State) => expect(state.admission.reserve(request())).resolves.toMatchObject({ admitted: true })],
    ['closed', 'refuses connections', refusingUrl, (state: State) => expect(state.admission.reserve(request())).rejects.toBeInstanceOf(StateUnavailableError)],
    ['closed', 'never answers', silentUrl, (state: State) => expect(state.admission.reserve(request())).rejects.toBeInstanceOf(StateUnavailableError)],
  ] as const)('mode %s, a server that %s: the first call is served as the mode says, with one warning', async (failureMode, _server, url, expectServed) => {
    const logs: string[] = [];
    const transitions: boolean[] = [];
    const state = await createState({
      redisUrl: url(),
      failureMode,
      redisTimeoutMs: REDIS_TIMEOUT_MS,
      logger: createLogger('info', { write: (line: string) => logs.push(line) }),
      onReachability: (reachable) => transitions.push(reachable),
    });
    try {
      await withDeadline(expectServed(state), HANG_GUARD_MS);
      expect(transitions).toEqual([false]);
      expect(logs.filter((line) => line.includes('unreachable'))).toHaveLength(1);
    } finally {
      await state.health.close();
    }
  });
});

describe('the warning names why Redis is unreachable', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ password: 'the-right-password' });
  });
  afterAll(() => server.stop());

  test.each([
    ['a wrong password', () => server.url.replace('redis://', 'redis://:a-wrong-password@'), /^connection closed \(WRONGPASS /],
    ['no password where one is required', () => server.url, /^connection closed \(NOAUTH /],
    ['a refused connection', () => 'redis://127.0.0.1:1', /^connection closed \(.*ECONNREFUSED/],
  ])('%s: the reason is the server\'s (or the socket\'s) own, and no password is logged', async (_case, url, reason) => {
    const logs: Array<Record<string, unknown>> = [];
    const state = await createState({
      redisUrl: url(),
      failureMode: 'open',
      redisTimeoutMs: REDIS_TIMEOUT_MS,
      logger: createLogger('info', { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
    });
    try {
      await withDeadline(state.admission.reserve(request()), HANG_GUARD_MS);
      const warnings = logs.filter((line) => String(line.message).includes('unreachable'));
      expect(warnings).toEqual([expect.objectContaining({ severity: 'WARNING', reason: expect.stringMatching(reason) })]);
      expect(JSON.stringify(logs)).not.toMatch(/the-right-password|a-wrong-password/);
    } finally {
      await state.health.close();
    }
  });
});

test('without a Redis URL everything is in memory and always ready', async () => {
  const state = await createState({ failureMode: 'closed', redisTimeoutMs: REDIS_TIMEOUT_MS, logger: createLogger('silent') });
  expect(state.health.backend).toBe('memory');
  expect(state.health.degraded()).toBe(false);
  expect(await state.health.ready()).toBe(true);
  expect(await admittedCount(state.admission, 5)).toBe(4);
  await storeAnswer(state.admission, 'answer', 'cached');
  expect(await cachedAnswer(state.admission, 'answer')).toBe('cached');
  await state.health.close();
});
