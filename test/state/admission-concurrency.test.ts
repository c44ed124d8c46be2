/**
 * Reservations that race. For Redis, two clients and two store instances stand for two gateway replicas,
 * and their requests interleave: the limit holds for the pair, not for each (LiteLLM #40291 is the
 * opposite), and no budget is overshot between a check and a charge.
 */
import type { Redis } from 'ioredis';
import { budgetTotals } from './budget-totals';
import { MemoryAdmissionStore } from '../../service/state/memory-admission';
import { RedisAdmissionStore } from '../../service/state/redis-admission';
import type { AdmissionStore, ReservationRequest, ReservationResult } from '../../service/state/types';
import { startRedis, type RedisServer } from '../support/redis';
import { closeClients, connectedClient, freshPrefix } from './redis-clients';

const MINUTE = 60_000;
const T0 = 29_000_000 * MINUTE;

interface Replicas {
  start(): Promise<void>;
  /** Two stores over the same state: one shared object in memory, two connections in Redis. */
  pair(): [AdmissionStore, AdmissionStore];
  stop(): Promise<void>;
}

const oneProcess: Replicas = {
  start: () => Promise.resolve(),
  pair: () => {
    const store = new MemoryAdmissionStore();
    return [store, store];
  },
  stop: () => Promise.resolve(),
};

function twoRedisReplicas(): Replicas {
  let server: RedisServer | undefined;
  let clients: Redis[] = [];
  return {
    start: async () => {
      server = await startRedis();
      clients = await Promise.all([connectedClient(server.url), connectedClient(server.url)]);
    },
    pair: () => {
      const keyPrefix = freshPrefix();
      const [first, second] = clients;
      return [new RedisAdmissionStore(first!, { keyPrefix }), new RedisAdmissionStore(second!, { keyPrefix })];
    },
    stop: async () => {
      await closeClients(...clients);
      await server?.stop();
    },
  };
}

/** Sends every request at once, alternating between the two replicas. */
function raceOnReplicas([first, second]: [AdmissionStore, AdmissionStore], requests: ReservationRequest[]): Promise<ReservationResult[]> {
  return Promise.all(requests.map((request, i) => (i % 2 === 0 ? first : second).reserve(request)));
}

/** Deterministic, varied amounts between `min` and `min + spread`. */
function variedAmount(i: number, min: number, spread: number): number {
  return min + ((i * 7_919) % spread);
}

describe.each([
  ['memory', oneProcess],
  ['redis, two replicas', twoRedisReplicas()],
])('%s under concurrent reservations', (_name, replicas) => {
  beforeAll(() => replicas.start());
  afterAll(() => replicas.stop());

  test('200 concurrent requests against 50 requests per minute: exactly 50 are admitted', async () => {
    const requests = Array.from({ length: 200 }, () => ({ counters: [{ key: 'rpm:team-a', limit: 50, amount: 1, windowMs: MINUTE }], nowMs: T0 + 1_000 }));
    const results = await raceOnReplicas(replicas.pair(), requests);
    expect(results.filter((result) => result.admitted)).toHaveLength(50);
    expect(results.filter((result) => !result.admitted)).toEqual(Array(150).fill({ admitted: false, deniedKey: 'rpm:team-a', reason: 'limit', retryAfterMs: 59_000 }));
  });

  test('varied token estimates never pass the token limit, and none is refused while it would have fit', async () => {
    const limit = 10_000;
    const amounts = Array.from({ length: 200 }, (_, i) => variedAmount(i, 100, 900));
    const results = await raceOnReplicas(
      replicas.pair(),
      amounts.map((amount) => ({ counters: [{ key: 'tpm:team-a', limit, amount, windowMs: MINUTE }], nowMs: T0 })),
    );
    const admittedTotal = amounts.filter((_, i) => results[i]?.admitted).reduce((sum, amount) => sum + amount, 0);
    expect(admittedTotal).toBeLessThanOrEqual(limit);
    // Usage only grows here, so a refused estimate must not fit even beside the final total.
    for (const [i, amount] of amounts.entries()) if (!results[i]?.admitted) expect(admittedTotal + amount).toBeGreaterThan(limit);
  });

  test('100 concurrent budget reservations never overshoot the budget', async () => {
    const limitMicros = 1_000_000;
    const estimates = Array.from({ length: 100 }, (_, i) => variedAmount(i, 15_000, 25_000));
    const budget = (amountMicros: number) => ({ key: 'budget:team-a:2026-11', limitMicros, amountMicros, periodEndMs: T0 + 30 * 24 * 60 * MINUTE });
    const pair = replicas.pair();
    const results = await raceOnReplicas(
      pair,
      estimates.map((amountMicros) => ({ counters: [], budget: budget(amountMicros), nowMs: T0 })),
    );
    const admittedTotal = estimates.filter((_, i) => results[i]?.admitted).reduce((sum, amount) => sum + amount, 0);
    expect(admittedTotal).toBeLessThanOrEqual(limitMicros);
    expect(await budgetTotals(pair[0], 'budget:team-a:2026-11', T0)).toEqual({ spentMicros: 0, reservedMicros: admittedTotal });
    for (const [i, estimate] of estimates.entries()) if (!results[i]?.admitted) expect(admittedTotal + estimate).toBeGreaterThan(limitMicros);
  });

  test('settlements racing new reservations leave the exact total', async () => {
    const pair = replicas.pair();
    const counter = { key: 'tpm:team-b', limit: 1_000_000, windowMs: MINUTE };
    const first = await raceOnReplicas(pair, Array.from({ length: 100 }, () => ({ counters: [{ ...counter, amount: 100 }], nowMs: T0 })));
    // Each of the 100 settles from 100 down to 40 while 100 more reserve 10 each: 100 × 40 + 100 × 10.
    await Promise.all([
      ...first.map((result, i) => (result.admitted ? pair[i % 2]!.settle(result.reservation, { actualAmounts: { 'tpm:team-b': 40 } }) : Promise.reject(new Error('refused')))),
      raceOnReplicas(pair, Array.from({ length: 100 }, () => ({ counters: [{ ...counter, amount: 10 }], nowMs: T0 }))),
    ]);
    const probe = { counters: [{ ...counter, limit: 5_000, amount: 0 }], nowMs: T0 };
    expect((await pair[0].reserve(probe)).admitted).toBe(true);
    expect((await pair[0].reserve({ ...probe, counters: [{ ...counter, limit: 5_000, amount: 1 }] })).admitted).toBe(false);
  });
});
