import { SpendLedger } from './spend-ledger';

const END = 2_000_000;

test('spend is summed per budget key and taken once', () => {
  const ledger = new SpendLedger();
  expect(ledger.isEmpty).toBe(true);
  ledger.add('budget:team-a:2026-11', 300, END);
  ledger.add('budget:team-a:2026-11', 200, END);
  ledger.add('budget:team-b:2026-11', 50, END);
  expect(ledger.isEmpty).toBe(false);
  expect(ledger.take(1_000)).toEqual({
    spends: [
      { key: 'budget:team-a:2026-11', micros: 500, periodEndMs: END },
      { key: 'budget:team-b:2026-11', micros: 50, periodEndMs: END },
    ],
    releases: [],
  });
  expect(ledger.isEmpty).toBe(true);
  expect(ledger.take(1_000)).toEqual({ spends: [], releases: [] });
});

test('nothing is owed for nothing spent, nor for a period that has ended', () => {
  const ledger = new SpendLedger();
  ledger.add('budget:team-a:free', 0, END);
  expect(ledger.isEmpty).toBe(true);
  ledger.add('budget:team-a:2026-10', 300, 1_000);
  ledger.add('budget:team-a:2026-11', 100, END);
  expect(ledger.take(1_000)).toEqual({ spends: [{ key: 'budget:team-a:2026-11', micros: 100, periodEndMs: END }], releases: [] });
});

test('estimates to release are summed per budget key and hold slot, and dropped once their hold has lapsed', () => {
  const ledger = new SpendLedger();
  ledger.release('budget:team-a:2026-11', 7, 0, END);
  expect(ledger.isEmpty).toBe(true);
  ledger.release('budget:team-a:2026-11', 7, 600, END - 2);
  ledger.release('budget:team-a:2026-11', 7, 0, END + 9);
  ledger.release('budget:team-a:2026-11', 7, 300, END - 1);
  ledger.release('budget:team-a:2026-11', 8, 50, END);
  ledger.release('budget:team-b:2026-11', 7, 20, 1_000);
  expect(ledger.isEmpty).toBe(false);
  expect(ledger.take(1_000)).toEqual({
    spends: [],
    releases: [
      { key: 'budget:team-a:2026-11', slot: 7, micros: 900, lapsesAtMs: END - 1 },
      { key: 'budget:team-a:2026-11', slot: 8, micros: 50, lapsesAtMs: END },
    ],
  });
  expect(ledger.isEmpty).toBe(true);
});
