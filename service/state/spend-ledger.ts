/**
 * Budget spend that Redis did not record when it happened, kept on this replica until Redis can take it
 * (see `resilient.ts`): spend charged in memory while Redis was unreachable (`open` mode), and spend whose
 * settlement was never sent to Redis, known then to be unreachable. Without it, Redis would never learn of
 * that money, and each budget would have it to spend again once Redis answered.
 */

/** Micro-dollars spent against one budget key (one key per budget period). */
export interface PendingSpend {
  key: string;
  micros: number;
  /** When the budget's period ends (epoch ms): spend of a period that has ended is no longer owed. */
  periodEndMs: number;
}

/** Spend taken from the ledger to be added to Redis's budgets, once: Redis records each `id` once. */
export interface Repayment {
  id: string;
  spends: readonly PendingSpend[];
}

/** Spend still to be added to Redis's budgets, summed per budget key. */
export class SpendLedger {
  private readonly pending = new Map<string, PendingSpend>();

  add(key: string, micros: number, periodEndMs: number): void {
    if (!(micros > 0)) return;
    const owed = this.pending.get(key);
    if (owed) {
      owed.micros += micros;
      owed.periodEndMs = Math.max(owed.periodEndMs, periodEndMs);
    } else this.pending.set(key, { key, micros, periodEndMs });
  }

  get isEmpty(): boolean {
    return this.pending.size === 0;
  }

  /** Empties the ledger; what it owed for periods still running at `nowMs`. */
  take(nowMs: number): PendingSpend[] {
    const owed = [...this.pending.values()].filter((spend) => spend.periodEndMs > nowMs);
    this.pending.clear();
    return owed;
  }
}
