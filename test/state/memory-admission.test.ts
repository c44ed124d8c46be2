/** What only the memory store has to show: it forgets finished windows, periods and throttles. */
import { EXPIRY_MARGIN_MS } from '../../service/state/admission-plan';
import { MemoryAdmissionStore } from '../../service/state/memory-admission';

const MINUTE = 60_000;
const T0 = 29_000_000 * MINUTE;

test('finished windows, budget periods and throttles are dropped, so memory does not grow with time', async () => {
  const store = new MemoryAdmissionStore();
  for (let minute = 0; minute < 100; minute += 1) {
    await store.reserve({ counters: [{ key: 'rpm:team-a', limit: 10, amount: 1, windowMs: MINUTE }], nowMs: T0 + minute * MINUTE });
  }
  await store.reserve({ counters: [], budget: { key: 'budget:team-a', limitMicros: 10, amountMicros: 1, periodEndMs: T0 + 101 * MINUTE }, nowMs: T0 + 100 * MINUTE });
  await store.throttle('model:pro', T0 + 100 * MINUTE + 1_000, T0 + 100 * MINUTE);
  // The last window (just finished, kept for the margin), the budget and the throttle; 99 windows are gone.
  expect(store.trackedEntries()).toBe(3);

  await store.reserve({ counters: [], nowMs: T0 + 102 * MINUTE + EXPIRY_MARGIN_MS });
  expect(store.trackedEntries()).toBe(0);
});

test('a settlement for a window already dropped changes nothing and recreates nothing', async () => {
  const store = new MemoryAdmissionStore();
  const result = await store.reserve({ counters: [{ key: 'tpm:team-a', limit: 1_000, amount: 500, windowMs: MINUTE }], nowMs: T0 });
  await store.reserve({ counters: [], nowMs: T0 + MINUTE + EXPIRY_MARGIN_MS });
  expect(store.trackedEntries()).toBe(0);
  if (!result.admitted) throw new Error('expected an admission');
  await store.settle(result.reservation, { actualAmounts: { 'tpm:team-a': 900 } });
  expect(store.trackedEntries()).toBe(0);
});
