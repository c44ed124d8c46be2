/**
 * What only the Redis store has: one round trip per operation, keys named by window that expire with it,
 * expired keys that stay expired, and integers too large for a Lua double to print.
 */
import type { Redis } from 'ioredis';
import { budgetTotals } from './budget-totals';
import { EXPIRY_MARGIN_MS, HOLD_SLOT_MS } from '../../service/state/admission-plan';
import { RedisAdmissionStore } from '../../service/state/redis-admission';
import type { Reservation, ReservationResult } from '../../service/state/types';
import { startRedis, type RedisServer } from '../support/redis';
import { closeClients, connectedClient, freshPrefix } from './redis-clients';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let server: RedisServer;
/** Inspects what the stores wrote. */
let inspector: Redis;
let storeClient: Redis;
let keyPrefix: string;
let store: RedisAdmissionStore;

beforeAll(async () => {
  server = await startRedis();
  [inspector, storeClient] = await Promise.all([connectedClient(server.url), connectedClient(server.url)]);
});
afterAll(async () => {
  await closeClients(inspector, storeClient);
  await server.stop();
});
beforeEach(() => {
  keyPrefix = freshPrefix();
  store = new RedisAdmissionStore(storeClient, { keyPrefix });
});
afterEach(() => jest.restoreAllMocks());

function reservationOf(result: ReservationResult): Reservation {
  if (!result.admitted) throw new Error(`expected an admission, got ${JSON.stringify(result)}`);
  return result.reservation;
}

test('a reservation is one round trip, and so is its settlement, cache lookup and write included', async () => {
  const sent = jest.spyOn(storeClient, 'sendCommand');
  const request = {
    counters: [
      { key: 'rpm:team-a', limit: 10, amount: 1, windowMs: MINUTE },
      { key: 'tpm:team-a', limit: 10_000, amount: 800, windowMs: MINUTE },
    ],
    budget: { key: 'budget:team-a', limitMicros: 5_000_000, amountMicros: 20_000, periodEndMs: Date.now() + DAY },
    throttleKey: 'model:flash',
    nowMs: Date.now(),
  };
  const reservation = reservationOf(await store.reserve(request));
  expect(sent).toHaveBeenCalledTimes(1);

  await store.settle(reservation, { actualAmounts: { 'tpm:team-a': 350 }, actualBudgetMicros: 9_000 });
  expect(sent).toHaveBeenCalledTimes(2);

  // A settlement that changes nothing does not go to Redis at all.
  await store.settle({ counters: reservation.counters }, { actualAmounts: { 'rpm:team-a': 1, 'tpm:team-a': 800 } });
  expect(sent).toHaveBeenCalledTimes(2);

  // With the answer cache riding along: the lookup is part of the reservation, the write part of the settlement.
  const miss = reservationOf(await store.reserve({ ...request, cacheKey: 'answer' }));
  expect(sent).toHaveBeenCalledTimes(3);
  await store.settle(miss, { actualAmounts: { 'tpm:team-a': 350 }, actualBudgetMicros: 9_000, cacheWrite: { key: 'answer', value: Buffer.from('U{}'), ttlMs: MINUTE } });
  expect(sent).toHaveBeenCalledTimes(4);
  expect(await store.reserve({ ...request, cacheKey: 'answer' })).toMatchObject({ reason: 'cached' });
  expect(sent).toHaveBeenCalledTimes(5);
  expect(await inspector.getBuffer(`${keyPrefix}cache:answer`)).toEqual(Buffer.from('U{}'));
});

test('counter keys carry the window and expire at its end, plus the margin', async () => {
  const nowMs = Date.now();
  const windowStartMs = Math.floor(nowMs / MINUTE) * MINUTE;
  await store.reserve({ counters: [{ key: 'rpm:team-a', limit: 10, amount: 3, windowMs: MINUTE }], nowMs });

  const key = `${keyPrefix}counter:rpm:team-a:${MINUTE}:${windowStartMs}`;
  expect(await inspector.get(key)).toBe('3');
  const ttl = await inspector.pttl(key);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(windowStartMs + MINUTE - nowMs + EXPIRY_MARGIN_MS);
});

test('a budget is a hash of micro-dollars spent that expires with its period, reservations are held by hold slot; a throttle is a key that expires with it', async () => {
  const nowMs = Date.now();
  const periodEndMs = nowMs + 10 * DAY;
  const holdMs = 10 * MINUTE;
  await store.reserve({ counters: [], budget: { key: 'team-a:2026-11', limitMicros: 5_000_000, amountMicros: 20_000, periodEndMs, holdMs }, nowMs });
  await store.throttle('model:pro', nowMs + 30_000, nowMs);

  expect(await inspector.hgetall(`${keyPrefix}budget:team-a:2026-11`)).toEqual({ spent: '0' });
  const budgetTtl = await inspector.pttl(`${keyPrefix}budget:team-a:2026-11`);
  expect(budgetTtl).toBeGreaterThan(0);
  expect(budgetTtl).toBeLessThanOrEqual(10 * DAY + EXPIRY_MARGIN_MS);
  // Held in its slot through the hold (and at most one slot more), then gone: a reservation never settled lapses.
  const held = `${keyPrefix}budget:team-a:2026-11:held:${Math.floor(nowMs / HOLD_SLOT_MS)}`;
  expect(await inspector.get(held)).toBe('20000');
  const heldTtl = await inspector.pttl(held);
  expect(heldTtl).toBeGreaterThan(holdMs);
  expect(heldTtl).toBeLessThanOrEqual(holdMs + HOLD_SLOT_MS + EXPIRY_MARGIN_MS);
  expect(await inspector.get(`${keyPrefix}throttle:model:pro`)).toBe(String(nowMs + 30_000));
  const throttleTtl = await inspector.pttl(`${keyPrefix}throttle:model:pro`);
  expect(throttleTtl).toBeGreaterThan(0);
  expect(throttleTtl).toBeLessThanOrEqual(30_000 + EXPIRY_MARGIN_MS);
});

test('a later charge never shortens a key’s lifetime', async () => {
  const nowMs = Date.now();
  const request = { counters: [{ key: 'rpm:team-a', limit: 10, amount: 1, windowMs: MINUTE }], nowMs };
  await store.reserve(request);
  const key = `${keyPrefix}counter:rpm:team-a:${MINUTE}:${Math.floor(nowMs / MINUTE) * MINUTE}`;
  await inspector.pexpire(key, 10 * MINUTE);
  await store.reserve(request);
  expect(await inspector.pttl(key)).toBeGreaterThan(MINUTE + EXPIRY_MARGIN_MS);
});

test('a settlement after its window or period has expired does not bring the key back', async () => {
  const nowMs = Date.now();
  const reservation = reservationOf(
    await store.reserve({
      counters: [{ key: 'tpm:team-a', limit: 10_000, amount: 800, windowMs: MINUTE }],
      budget: { key: 'budget:team-a', limitMicros: 5_000_000, amountMicros: 20_000, periodEndMs: nowMs + DAY },
      nowMs,
    }),
  );
  const keys = await inspector.keys(`${keyPrefix}*`);
  expect(keys).toHaveLength(3); // the window, the budget hash and its hold period
  await inspector.del(...keys); // what expiry does

  await store.settle(reservation, { actualAmounts: { 'tpm:team-a': 1_200 }, actualBudgetMicros: 30_000 });
  expect(await inspector.keys(`${keyPrefix}*`)).toEqual([]);
});

test('micro-dollar totals beyond 10^15 stay exact', async () => {
  const nowMs = Date.now();
  const budget = { key: 'budget:enterprise', limitMicros: 9_000_000_000_000_000, amountMicros: 3_000_000_000_000_001, periodEndMs: nowMs + DAY };
  const reservation = reservationOf(await store.reserve({ counters: [], budget, nowMs }));
  await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 2_000_000_000_000_003 });
  expect(await budgetTotals(store, 'budget:enterprise')).toEqual({ spentMicros: 2_000_000_000_000_003, reservedMicros: 0 });
});

test('the key prefix keeps two gateways sharing one Redis apart', async () => {
  const nowMs = Date.now();
  const request = { counters: [{ key: 'rpm:team-a', limit: 1, amount: 1, windowMs: MINUTE }], nowMs };
  const other = new RedisAdmissionStore(storeClient, { keyPrefix: freshPrefix() });
  expect((await store.reserve(request)).admitted).toBe(true);
  expect((await other.reserve(request)).admitted).toBe(true);
  expect((await store.reserve(request)).admitted).toBe(false);
});

test('spend recorded elsewhere is added to budgets in one round trip, once per repayment; a budget Redis no longer holds is made, to live until its period ends; an ended period is skipped', async () => {
  const nowMs = Date.now();
  const request = { counters: [], budget: { key: 'budget:team-a', limitMicros: 5_000_000, amountMicros: 20_000, periodEndMs: nowMs + DAY }, nowMs };
  await store.settle(reservationOf(await store.reserve(request)), { actualAmounts: {}, actualBudgetMicros: 9_000 });

  const sent = jest.spyOn(storeClient, 'sendCommand');
  const repayment = {
    id: 'repayment-1',
    spends: [
      { key: 'budget:team-a', micros: 1_000, periodEndMs: nowMs + DAY },
      { key: 'budget:team-b', micros: 2_500, periodEndMs: nowMs + MINUTE },
      { key: 'budget:team-c', micros: 700, periodEndMs: nowMs - 1 },
    ],
    releases: [],
  };
  await store.addSpent(repayment, nowMs);
  expect(sent).toHaveBeenCalledTimes(1);
  expect(await inspector.hget(`${keyPrefix}budget:budget:team-a`, 'spent')).toBe('10000');
  expect(await inspector.hget(`${keyPrefix}budget:budget:team-b`, 'spent')).toBe('2500');
  const lifetime = await inspector.pttl(`${keyPrefix}budget:budget:team-b`);
  expect(lifetime).toBeGreaterThan(MINUTE);
  expect(lifetime).toBeLessThanOrEqual(MINUTE + EXPIRY_MARGIN_MS);
  expect(await inspector.exists(`${keyPrefix}budget:budget:team-c`)).toBe(0);

  // The same repayment again (a retry of one that timed out yet ran) adds nothing; its id is kept as long as its budgets.
  await store.addSpent(repayment, nowMs);
  expect(await inspector.hget(`${keyPrefix}budget:budget:team-a`, 'spent')).toBe('10000');
  expect(await inspector.pttl(`${keyPrefix}repaid:repayment-1`)).toBeGreaterThan(DAY);
  await store.addSpent({ ...repayment, id: 'repayment-2' }, nowMs);
  expect(await inspector.hget(`${keyPrefix}budget:budget:team-a`, 'spent')).toBe('11000');
});

test('a repayment releases the estimates settlements never sent still hold, once, never below zero, and never makes a lapsed hold again', async () => {
  const nowMs = Date.now();
  const slot = Math.floor(nowMs / HOLD_SLOT_MS);
  const request = { counters: [], budget: { key: 'budget:team-h', limitMicros: 1_000, amountMicros: 600, periodEndMs: nowMs + DAY }, nowMs };
  // Two reservations hold 900 of the 1,000; a third of 400 does not fit.
  const held = [reservationOf(await store.reserve(request)), reservationOf(await store.reserve({ ...request, budget: { ...request.budget, amountMicros: 300 } }))];
  expect(held).toHaveLength(2);
  expect((await store.reserve({ ...request, budget: { ...request.budget, amountMicros: 400 } })).admitted).toBe(false);

  const lapsesAtMs = nowMs + 10 * MINUTE;
  const repayment = {
    id: 'repayment-4',
    spends: [{ key: 'budget:team-h', micros: 100, periodEndMs: nowMs + DAY }],
    releases: [
      // The first reservation's settlement, never sent: 600 held, 100 spent.
      { key: 'budget:team-h', slot, micros: 600, lapsesAtMs },
      // A hold whose counter is gone (lapsed): not made again.
      { key: 'budget:team-h', slot: slot - 50, micros: 50, lapsesAtMs },
    ],
  };
  await store.addSpent(repayment, nowMs);
  expect(await budgetTotals(store, 'budget:team-h')).toEqual({ spentMicros: 100, reservedMicros: 300 });
  expect(await inspector.exists(`${keyPrefix}budget:budget:team-h:held:${slot - 50}`)).toBe(0);
  expect((await store.reserve({ ...request, budget: { ...request.budget, amountMicros: 400 } })).admitted).toBe(true);
  // A retry of the same repayment releases nothing more.
  await store.addSpent(repayment, nowMs);
  expect(await budgetTotals(store, 'budget:team-h')).toEqual({ spentMicros: 100, reservedMicros: 700 });
  // More released than held (a hold counted twice elsewhere) leaves the counter at zero, its lifetime kept.
  const ttl = await inspector.pttl(`${keyPrefix}budget:budget:team-h:held:${slot}`);
  await store.addSpent({ id: 'repayment-5', spends: [], releases: [{ key: 'budget:team-h', slot, micros: 5_000, lapsesAtMs }] }, nowMs);
  expect(await inspector.get(`${keyPrefix}budget:budget:team-h:held:${slot}`)).toBe('0');
  expect(await inspector.pttl(`${keyPrefix}budget:budget:team-h:held:${slot}`)).toBeGreaterThan(ttl - MINUTE);
});

test('a budget key another writer turned into something else is passed over: the repayment of the others is recorded once', async () => {
  const nowMs = Date.now();
  await inspector.set(`${keyPrefix}budget:budget:team-b`, 'not a budget');
  const repayment = {
    id: 'repayment-3',
    spends: [
      { key: 'budget:team-a', micros: 100, periodEndMs: nowMs + DAY },
      { key: 'budget:team-b', micros: 50, periodEndMs: nowMs + DAY },
    ],
    releases: [],
  };
  await store.addSpent(repayment, nowMs);
  await store.addSpent(repayment, nowMs);
  expect(await inspector.hget(`${keyPrefix}budget:budget:team-a`, 'spent')).toBe('100');
  expect(await inspector.get(`${keyPrefix}budget:budget:team-b`)).toBe('not a budget');
});
