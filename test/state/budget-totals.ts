/** A budget's totals through the store's own interface: settling a reservation of nothing reports them. */
import type { AdmissionStore, BudgetStatus } from '../../service/state/types';

export async function budgetTotals(store: AdmissionStore, key: string): Promise<BudgetStatus> {
  const totals = await store.settle({ counters: [], budget: { key, amountMicros: 0, periodEndMs: Number.MAX_SAFE_INTEGER } }, { actualAmounts: {}, actualBudgetMicros: 0 });
  if (!totals) throw new Error(`the store reported no totals for ${key}`);
  return totals;
}
