import { SpendLedger } from './spend-ledger';

const END = 2_000_000;

test('spend is summed per budget key and taken once', () => {
  const ledger = new SpendLedger();
  expect(ledger.isEmpty).toBe(true);
  ledger.add('budget:team-a:2026-11', 300, END);
  ledger.add('budget:team-a:2026-11', 200, END);
  ledger.add('budget:team-b:2026-11', 50, END);
  expect(ledger.isEmpty).toBe(false);
  expect(ledger.take(1_000)).toEqual([
    { key: 'budget:team-a:2026-11', micros: 500, periodEndMs: END },
    { key: 'budget:team-b:2026-11', micros: 50, periodEndMs: END },
  ]);
  expect(ledger.isEmpty).toBe(true);
  expect(ledger.take(1_000)).toEqual([]);
});

test('nothing is owed for nothing spent, nor for a period that has ended', () => {
  const ledger = new SpendLedger();
  ledger.add('budget:team-a:free', 0, END);
  expect(ledger.isEmpty).toBe(true);
  ledger.add('budget:team-a:2026-10', 300, 1_000);
  ledger.add('budget:team-a:2026-11', 100, END);
  expect(ledger.take(1_000)).toEqual([{ key: 'budget:team-a:2026-11', micros: 100, periodEndMs: END }]);
});
