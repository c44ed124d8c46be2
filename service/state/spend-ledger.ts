/**
 * Budget bookkeeping that Redis did not record when it happened, kept on this replica until Redis can take
 * it (see `resilient.ts`):
 *
 * - spend: charged in memory while Redis was unreachable (`open` mode), or of a settlement never sent to
 *   Redis, known then to be unreachable. Without it, Redis would never learn of that money, and each budget
 *   would have it to spend again once Redis answered.
 * - holds: the estimate a settlement never sent would have released. Without it, the estimate would count
 *   against the budget until its hold lapsed, and a caller near its limit would be refused meanwhile.
 */

/** Micro-dollars spent against one budget key (one key per budget period). */
export interface PendingSpend {
  key: string;
  micros: number;
  /** When the budget's period ends (epoch ms): spend of a period that has ended is no longer owed. */
  periodEndMs: number;
}

/** Micro-dollars still held against one budget key in one hold slot (see `admission-plan.ts`). */
export interface PendingRelease {
  key: string;
  slot: number;
  micros: number;
  /** When the slot's holds lapse by themselves (epoch ms): after it there is nothing left to release. */
  lapsesAtMs: number;
}

/** What is taken from the ledger to be recorded in Redis, once: Redis records each `id` once. */
export interface Repayment {
  id: string;
  spends: readonly PendingSpend[];
  releases: readonly PendingRelease[];
}

/** What Redis is owed, summed per budget key (spend) and per budget key and slot (holds). */
export class SpendLedger {
  private readonly spends = new Map<string, PendingSpend>();
  private readonly releases = new Map<string, PendingRelease>();

  add(key: string, micros: number, periodEndMs: number): void {
    if (!(micros > 0)) return;
    const owed = this.spends.get(key);
    if (owed) {
      owed.micros += micros;
      owed.periodEndMs = Math.max(owed.periodEndMs, periodEndMs);
    } else this.spends.set(key, { key, micros, periodEndMs });
  }

  release(key: string, slot: number, micros: number, lapsesAtMs: number): void {
    if (!(micros > 0)) return;
    const id = `${slot}:${key}`;
    const owed = this.releases.get(id);
    if (owed) {
      owed.micros += micros;
      // Holds of different lengths may share a slot: its counter lives until the longest lapses.
      owed.lapsesAtMs = Math.max(owed.lapsesAtMs, lapsesAtMs);
    } else this.releases.set(id, { key, slot, micros, lapsesAtMs });
  }

  get isEmpty(): boolean {
    return this.spends.size === 0 && this.releases.size === 0;
  }

  /** Empties the ledger; what it owed for periods and holds still running at `nowMs`. */
  take(nowMs: number): Omit<Repayment, 'id'> {
    const spends = [...this.spends.values()].filter((spend) => spend.periodEndMs > nowMs);
    const releases = [...this.releases.values()].filter((release) => release.lapsesAtMs > nowMs);
    this.spends.clear();
    this.releases.clear();
    return { spends, releases };
  }
}
