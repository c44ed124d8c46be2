/** A budget's totals through the store's own interface: settling a reservation of nothing reports them. */
import { DEFAULT_BUDGET_HOLD_MS } from '../../service/state/admission-plan';
import type { AdmissionStore, BudgetStatus } from '../../service/state/types';

export async function budgetTotals(store: AdmissionStore, key: string, nowMs = Date.now()): Promise<BudgetStatus> {
  const reservation = { counters: [], budget: { key, amountMicros: 0, periodEndMs: Number.MAX_SAFE_INTEGER, heldAtMs: nowMs, holdMs: DEFAULT_BUDGET_HOLD_MS } };
  const totals = await store.settle(reservation, { actualAmounts: {}, actualBudgetMicros: 0, nowMs });
  if (!totals) throw new Error(`the store reported no totals for ${key}`);
  return totals;
}
