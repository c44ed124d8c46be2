/**
 * What every admission store promises, run against the memory store and the Redis store alike: fixed
 * windows, all-or-nothing reservations, settlement in the window that was charged, budgets, throttles and
 * the retry times they report. Time is injected through `nowMs`; nothing here waits.
 */
import type { Redis } from 'ioredis';
import { budgetTotals } from './budget-totals';
import { DEFAULT_BUDGET_HOLD_MS, HOLD_SLOT_MS } from '../../service/state/admission-plan';
import { MemoryAdmissionStore } from '../../service/state/memory-admission';
import { MemoryCacheStore } from '../../service/state/memory-cache';
import { RedisAdmissionStore } from '../../service/state/redis-admission';
import type { AdmissionStore, BudgetCharge, CounterCharge, Reservation, ReservationResult } from '../../service/state/types';
import { startRedis, type RedisServer } from '../support/redis';
import { closeClients, connectedClient, freshPrefix } from './redis-clients';

const MINUTE = 60_000;
/** A window boundary for every window length used here. */
const T0 = 29_000_000 * MINUTE;
const DAY = 24 * 60 * MINUTE;

interface Backend {
  start(): Promise<void>;
  /** A store that has charged nothing yet. */
  emptyStore(): AdmissionStore;
  stop(): Promise<void>;
}

const memoryBackend: Backend = {
  start: () => Promise.resolve(),
  emptyStore: () => new MemoryAdmissionStore(new MemoryCacheStore({ maxBytes: 1_000_000 })),
  stop: () => Promise.resolve(),
};

function redisBackend(): Backend {
  let server: RedisServer | undefined;
  let client: Redis | undefined;
  return {
    start: async () => {
      server = await startRedis();
      client = await connectedClient(server.url);
    },
    emptyStore: () => new RedisAdmissionStore(client!, { keyPrefix: freshPrefix() }),
    stop: async () => {
      if (client) await closeClients(client);
      await server?.stop();
    },
  };
}

function perMinute(key: string, limit: number, amount = 1): CounterCharge {
  return { key, limit, amount, windowMs: MINUTE };
}

function budgetOf(limitMicros: number, amountMicros: number): BudgetCharge {
  return { key: 'budget:team-a:period', limitMicros, amountMicros, periodEndMs: T0 + 30 * DAY };
}

function reservationOf(result: ReservationResult): Reservation {
  if (!result.admitted) throw new Error(`expected an admission, got ${JSON.stringify(result)}`);
  return result.reservation;
}

describe.each([
  ['memory', memoryBackend],
  ['redis', redisBackend()],
])('%s admission store', (_name, backend) => {
  let store: AdmissionStore;
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());
  beforeEach(() => {
    store = backend.emptyStore();
  });

  const reserve = (counters: CounterCharge[], nowMs: number, extra: { budget?: BudgetCharge; throttleKey?: string } = {}): Promise<ReservationResult> =>
    store.reserve({ counters, nowMs, ...extra });

  describe('fixed windows', () => {
    test('admits up to the limit in a window, refuses until the window ends, then admits again', async () => {
      for (let i = 0; i < 3; i += 1) expect((await reserve([perMinute('rpm', 3)], T0 + 10_000)).admitted).toBe(true);
      expect(await reserve([perMinute('rpm', 3)], T0 + 10_000)).toEqual({ admitted: false, deniedKey: 'rpm', reason: 'limit', retryAfterMs: 50_000 });
      expect(await reserve([perMinute('rpm', 3)], T0 + MINUTE - 1)).toMatchObject({ admitted: false, retryAfterMs: 1 });
      expect((await reserve([perMinute('rpm', 3)], T0 + MINUTE)).admitted).toBe(true);
    });

    test('the reservation names the window it charged', async () => {
      const reservation = reservationOf(await reserve([perMinute('rpm', 3, 2), { key: 'tps', limit: 5, amount: 1, windowMs: 1_000 }], T0 + 12_345));
      expect(reservation).toEqual({
        counters: [
          { key: 'rpm', windowStartMs: T0, windowMs: MINUTE, amount: 2 },
          { key: 'tps', windowStartMs: T0 + 12_000, windowMs: 1_000, amount: 1 },
        ],
      });
    });

    test('retryAfterMs is the time left in the refusing window, whatever its length', async () => {
      const perSecond: CounterCharge = { key: 'rps', limit: 1, amount: 1, windowMs: 1_000 };
      await reserve([perMinute('rpm', 10), perSecond], T0 + 1_250);
      expect(await reserve([perMinute('rpm', 10), perSecond], T0 + 1_250)).toEqual({ admitted: false, deniedKey: 'rps', reason: 'limit', retryAfterMs: 750 });
    });

    test('the same counter key with another window length is another counter', async () => {
      await reserve([perMinute('tokens', 10, 10)], T0);
      expect((await reserve([{ key: 'tokens', limit: 10, amount: 10, windowMs: 1_000 }], T0)).admitted).toBe(true);
    });

    test('an amount above the limit is refused even in an empty window, with the end of that window', async () => {
      expect(await reserve([perMinute('tpm', 100, 101)], T0 + 20_000)).toEqual({ admitted: false, deniedKey: 'tpm', reason: 'limit', retryAfterMs: 40_000 });
    });

    test('fractional amounts are charged as whole units, rounded up', async () => {
      expect(reservationOf(await reserve([perMinute('tpm', 10, 2.2)], T0)).counters[0]?.amount).toBe(3);
      expect((await reserve([perMinute('tpm', 10, 7.5)], T0)).admitted).toBe(false);
      expect((await reserve([perMinute('tpm', 10, 7)], T0)).admitted).toBe(true);
    });
  });

  describe('all or nothing', () => {
    test('a counter that refuses leaves the counters before it uncharged', async () => {
      await reserve([perMinute('wide', 10), perMinute('narrow', 1)], T0);
      expect(await reserve([perMinute('wide', 10, 5), perMinute('narrow', 1)], T0)).toMatchObject({ admitted: false, deniedKey: 'narrow' });
      expect((await reserve([perMinute('wide', 10, 9)], T0)).admitted).toBe(true);
    });

    test('a counter that refuses leaves the budget uncharged', async () => {
      expect(await reserve([perMinute('closed', 0)], T0, { budget: budgetOf(1_000, 600) })).toMatchObject({ admitted: false, reason: 'limit' });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 0, reservedMicros: 0 });
    });

    test('a budget that refuses leaves the counters uncharged', async () => {
      expect(await reserve([perMinute('rpm', 1)], T0, { budget: budgetOf(1_000, 1_001) })).toMatchObject({ admitted: false, reason: 'budget' });
      expect((await reserve([perMinute('rpm', 1)], T0)).admitted).toBe(true);
    });

    test('a throttle that refuses leaves counters and budget uncharged', async () => {
      await store.throttle('model:pro', T0 + 5_000, T0);
      expect(await reserve([perMinute('rpm', 1)], T0 + 1_000, { budget: budgetOf(1_000, 1_000), throttleKey: 'model:pro' })).toMatchObject({ reason: 'throttled' });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 0, reservedMicros: 0 });
      expect((await reserve([perMinute('rpm', 1)], T0 + 1_000, { budget: budgetOf(1_000, 1_000) })).admitted).toBe(true);
    });
  });

  describe('settlement', () => {
    test('an actual amount below the estimate gives the difference back to the window', async () => {
      const reservation = reservationOf(await reserve([perMinute('tpm', 100, 40)], T0 + 1_000));
      await store.settle(reservation, { actualAmounts: { tpm: 10 } });
      expect((await reserve([perMinute('tpm', 100, 90)], T0 + 2_000)).admitted).toBe(true);
      expect((await reserve([perMinute('tpm', 100, 1)], T0 + 2_000)).admitted).toBe(false);
    });

    test('an actual amount above the estimate charges the difference to the window', async () => {
      const reservation = reservationOf(await reserve([perMinute('tpm', 100, 40)], T0 + 1_000));
      await store.settle(reservation, { actualAmounts: { tpm: 70 } });
      expect((await reserve([perMinute('tpm', 100, 31)], T0 + 2_000)).admitted).toBe(false);
      expect((await reserve([perMinute('tpm', 100, 30)], T0 + 2_000)).admitted).toBe(true);
    });

    test('after the window has moved on, the change goes to the window that was charged, not the current one', async () => {
      const lateInFirst = T0 + MINUTE - 1_000;
      const earlyInSecond = T0 + MINUTE + 1_000;
      const up = reservationOf(await reserve([perMinute('up', 100, 40)], lateInFirst));
      const down = reservationOf(await reserve([perMinute('down', 100, 40)], lateInFirst));
      await reserve([perMinute('up', 100, 50)], earlyInSecond);
      await reserve([perMinute('down', 100, 100)], earlyInSecond);

      await store.settle(up, { actualAmounts: { up: 100 } });
      await store.settle(down, { actualAmounts: { down: 0 } });

      // The current windows are as they were: 50 of 100, and full.
      expect((await reserve([perMinute('up', 100, 50)], earlyInSecond)).admitted).toBe(true);
      expect((await reserve([perMinute('down', 100, 1)], earlyInSecond)).admitted).toBe(false);
      // The first windows took the changes: full, and empty (a replica whose clock lags still charges them).
      expect((await reserve([perMinute('up', 100, 1)], lateInFirst)).admitted).toBe(false);
      expect((await reserve([perMinute('down', 100, 100)], lateInFirst)).admitted).toBe(true);
    });

    test('a counter never goes below zero, even when a settlement is applied twice', async () => {
      const reservation = reservationOf(await reserve([perMinute('rpm', 10, 10)], T0));
      await store.settle(reservation, { actualAmounts: { rpm: 0 } });
      await store.settle(reservation, { actualAmounts: { rpm: 0 } });
      expect((await reserve([perMinute('rpm', 10, 10)], T0)).admitted).toBe(true);
      expect((await reserve([perMinute('rpm', 10, 1)], T0)).admitted).toBe(false);
    });

    test('a counter left out of the settlement keeps its estimate', async () => {
      const reservation = reservationOf(await reserve([perMinute('rpm', 2), perMinute('tpm', 100, 60)], T0));
      await store.settle(reservation, { actualAmounts: { rpm: 1 } });
      expect((await reserve([perMinute('tpm', 100, 41)], T0)).admitted).toBe(false);
    });
  });

  describe('budget', () => {
    test('a reservation holds its estimate until settled; the settlement moves the actual cost to spent', async () => {
      const reservation = reservationOf(await reserve([], T0, { budget: budgetOf(1_000, 600) }));
      expect(reservation.budget).toEqual({ key: 'budget:team-a:period', amountMicros: 600, periodEndMs: T0 + 30 * DAY, heldAtMs: T0, holdMs: DEFAULT_BUDGET_HOLD_MS });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 0, reservedMicros: 600 });

      await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 250 });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 250, reservedMicros: 0 });
    });

    test('refuses when spent + reserved + the estimate would pass the limit, until the period ends', async () => {
      const spent = reservationOf(await reserve([], T0, { budget: budgetOf(1_000, 300) }));
      await store.settle(spent, { actualAmounts: {}, actualBudgetMicros: 300 });
      await reserve([], T0 + DAY, { budget: budgetOf(1_000, 300) });
      expect(await reserve([], T0 + DAY + MINUTE, { budget: budgetOf(1_000, 401) })).toEqual({
        admitted: false,
        deniedKey: 'budget:team-a:period',
        reason: 'budget',
        retryAfterMs: 29 * DAY - MINUTE,
      });
      expect((await reserve([], T0 + DAY + MINUTE, { budget: budgetOf(1_000, 400) })).admitted).toBe(true);
    });

    test('a reservation never settled stops holding the budget after its hold (and at most one hold slot more), not at the end of the budget period', async () => {
      const hold = 10 * MINUTE;
      await reserve([], T0, { budget: { ...budgetOf(1_000, 600), holdMs: hold } });
      expect((await reserve([], T0 + hold, { budget: { ...budgetOf(1_000, 401), holdMs: hold } })).admitted).toBe(false);
      // Lapsed: a store that never heard of the settlement (unreachable then, a crash) does not lock the caller out.
      expect((await reserve([], T0 + hold + HOLD_SLOT_MS, { budget: { ...budgetOf(1_000, 600), holdMs: hold } })).admitted).toBe(true);
      expect(await budgetTotals(store, 'budget:team-a:period', T0 + hold + HOLD_SLOT_MS)).toMatchObject({ spentMicros: 0 });
    });

    test('replicas whose holds differ (a rollout changing the request deadline) see each other\'s reservations', async () => {
      await reserve([], T0, { budget: { ...budgetOf(1_000, 600), holdMs: 10 * MINUTE } });
      expect((await reserve([], T0 + MINUTE, { budget: { ...budgetOf(1_000, 401), holdMs: 2 * MINUTE } })).admitted).toBe(false);
      await reserve([], T0 + 2 * MINUTE, { budget: { ...budgetOf(1_000, 300), holdMs: 2 * MINUTE } });
      expect((await reserve([], T0 + 3 * MINUTE, { budget: { ...budgetOf(1_000, 101), holdMs: 10 * MINUTE } })).admitted).toBe(false);
    });

    test('without an actual cost the estimate is spent', async () => {
      const reservation = reservationOf(await reserve([], T0, { budget: budgetOf(1_000, 600) }));
      await store.settle(reservation, { actualAmounts: {} });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 600, reservedMicros: 0 });
    });

    test('a cost above the estimate is spent in full and refuses what follows', async () => {
      const reservation = reservationOf(await reserve([], T0, { budget: budgetOf(1_000, 100) }));
      await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 1_200 });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 1_200, reservedMicros: 0 });
      expect((await reserve([], T0, { budget: budgetOf(1_000, 0) })).admitted).toBe(false);
    });

    test('reserved never goes negative, even when a settlement is applied twice', async () => {
      const reservation = reservationOf(await reserve([], T0, { budget: budgetOf(1_000, 300) }));
      await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 100 });
      await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 100 });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 200, reservedMicros: 0 });
    });

    test('an unknown budget reads as nothing spent or reserved', async () => {
      expect(await budgetTotals(store, 'budget:nobody', T0)).toEqual({ spentMicros: 0, reservedMicros: 0 });
    });
  });

  describe('throttle', () => {
    test('refuses the scope until the throttle ends', async () => {
      await store.throttle('model:pro', T0 + 10_000, T0);
      expect(await reserve([perMinute('rpm', 5)], T0 + 1_000, { throttleKey: 'model:pro' })).toEqual({
        admitted: false,
        deniedKey: 'model:pro',
        reason: 'throttled',
        retryAfterMs: 9_000,
      });
      expect((await reserve([perMinute('rpm', 5)], T0 + 1_000, { throttleKey: 'model:flash' })).admitted).toBe(true);
      expect((await reserve([perMinute('rpm', 5)], T0 + 10_000, { throttleKey: 'model:pro' })).admitted).toBe(true);
    });

    test('keeps the later of two throttles', async () => {
      await store.throttle('model:pro', T0 + 10_000, T0);
      await store.throttle('model:pro', T0 + 5_000, T0 + 1_000);
      expect(await reserve([], T0 + 2_000, { throttleKey: 'model:pro' })).toMatchObject({ reason: 'throttled', retryAfterMs: 8_000 });
      await store.throttle('model:pro', T0 + 20_000, T0 + 2_000);
      expect(await reserve([], T0 + 2_000, { throttleKey: 'model:pro' })).toMatchObject({ reason: 'throttled', retryAfterMs: 18_000 });
    });

    test('a throttle that has already ended changes nothing', async () => {
      await store.throttle('model:pro', T0, T0 + 1_000);
      expect((await reserve([], T0 + 1_000, { throttleKey: 'model:pro' })).admitted).toBe(true);
    });
  });

  describe('input no store can honour', () => {
    test.each([
      ['a counter key twice', { counters: [perMinute('rpm', 5), perMinute('rpm', 5)], nowMs: T0 }],
      ['a negative amount', { counters: [perMinute('rpm', 5, -1)], nowMs: T0 }],
      ['a window of 0 ms', { counters: [{ key: 'rpm', limit: 5, amount: 1, windowMs: 0 }], nowMs: T0 }],
      ['a budget period that has ended', { counters: [], budget: { ...budgetOf(10, 1), periodEndMs: T0 }, nowMs: T0 }],
    ])('%s is refused with a RangeError, charging nothing', async (_case, request) => {
      await expect(store.reserve(request)).rejects.toThrow(RangeError);
      expect((await reserve([perMinute('rpm', 5, 5)], T0)).admitted).toBe(true);
    });
  });

  describe('the answer cache, in the same round trips', () => {
    const write = (key: string, value: Buffer, ttlMs = MINUTE) => ({ key, value, ttlMs });
    const emptyReservation = { counters: [] };

    test('reserve with a cache key: a miss reserves as usual; a hit returns the stored bytes and charges nothing', async () => {
      const miss = await store.reserve({ counters: [perMinute('rpm', 1)], nowMs: T0, cacheKey: 'answer' });
      // Every byte value survives the round trip (a unary answer is stored as its own bytes).
      const value = Buffer.from([0x55, 0, 255, 10, 13, 0x80, 0x7f]);
      await store.settle(reservationOf(miss), { actualAmounts: {}, cacheWrite: write('answer', value) });
      expect(await store.reserve({ counters: [perMinute('rpm', 1)], nowMs: T0, cacheKey: 'answer', budget: budgetOf(10, 10) })).toEqual({ admitted: false, reason: 'cached', cached: value });
      // The RPM of 1 was charged by the miss only, and the budget not at all.
      expect(await reserve([perMinute('rpm', 1)], T0)).toMatchObject({ admitted: false, reason: 'limit' });
      expect(await budgetTotals(store, 'budget:team-a:period', T0)).toEqual({ spentMicros: 0, reservedMicros: 0 });
    });

    test('a hit is served even while a limit or a throttle would refuse the request', async () => {
      await store.settle(emptyReservation, { actualAmounts: {}, cacheWrite: write('answer', Buffer.from('kept')) });
      await store.throttle('model:pro', T0 + 5_000, T0);
      expect(await store.reserve({ counters: [perMinute('rpm', 0)], nowMs: T0, throttleKey: 'model:pro', cacheKey: 'answer' })).toMatchObject({ reason: 'cached' });
    });

    test('an entry lasts its TTL; a TTL of 0 stores nothing', async () => {
      await store.settle(emptyReservation, { actualAmounts: {}, cacheWrite: write('none', Buffer.from('x'), 0) });
      expect((await store.reserve({ counters: [], nowMs: T0, cacheKey: 'none' })).admitted).toBe(true);
      await store.settle(emptyReservation, { actualAmounts: {}, cacheWrite: write('long', Buffer.from('x')) });
      expect(await store.reserve({ counters: [], nowMs: T0, cacheKey: 'long' })).toMatchObject({ reason: 'cached' });
      // Entries expire on the store's own clock: wait until the short one is gone (the test's timeout guards a hang).
      await store.settle(emptyReservation, { actualAmounts: {}, cacheWrite: write('short', Buffer.from('x'), 20) });
      while (!(await store.reserve({ counters: [], nowMs: T0, cacheKey: 'short' })).admitted) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await store.reserve({ counters: [], nowMs: T0, cacheKey: 'long' })).toMatchObject({ reason: 'cached' });
    });

    test('settling with a budget reports its totals after the move, and stores the answer too', async () => {
      const reservation = reservationOf(await reserve([], T0, { budget: budgetOf(1_000, 600) }));
      expect(await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 250, cacheWrite: write('answer', Buffer.from('kept')) })).toEqual({ spentMicros: 250, reservedMicros: 0 });
      expect(await store.reserve({ counters: [], nowMs: T0, cacheKey: 'answer' })).toMatchObject({ reason: 'cached' });
      expect(await store.settle(reservationOf(await reserve([perMinute('rpm', 5)], T0)), { actualAmounts: {} })).toBeUndefined();
    });
  });
});
