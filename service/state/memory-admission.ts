/**
 * Admission in this process's memory: the default for one replica, and the stand-in for Redis while Redis
 * is unreachable. JavaScript runs each check-and-charge without interruption, so it is atomic as written.
 * The answer cache it looks in and writes to (`cacheKey`, `cacheWrite`) is this process's memory cache.
 */
import {
  EXPIRY_MARGIN_MS,
  admitted,
  budgetDenial,
  holdSlot,
  oldestHeldSlot,
  limitDenial,
  planReservation,
  planSettlement,
  throttledDenial,
  windowId,
  type ReservationPlan,
} from './admission-plan';
import type { MemoryCacheStore } from './memory-cache';
import type { AdmissionStore, BudgetStatus, Reservation, ReservationRequest, ReservationResult, Settlement } from './types';

/** Finished windows, periods and throttles are swept at most this often (in the callers' clock). */
const PRUNE_INTERVAL_MS = 1_000;

interface WindowCount {
  used: number;
  expiresAtMs: number;
}

interface BudgetTotals {
  spentMicros: number;
  /** Reserved micro-dollars by hold slot (see `HOLD_SLOT_MS`). */
  held: Map<number, number>;
  expiresAtMs: number;
}

/** What is held now: the reservations of the slots a hold of `holdMs` reaches back to (older ones have lapsed, and go). */
function heldNow(totals: BudgetTotals | undefined, nowMs: number, holdMs: number): number {
  if (!totals) return 0;
  const oldest = oldestHeldSlot(nowMs, holdMs);
  let held = 0;
  for (const [slot, micros] of totals.held) {
    if (slot < oldest) totals.held.delete(slot);
    else held += micros;
  }
  return held;
}

interface Throttle {
  untilMs: number;
  expiresAtMs: number;
}

export class MemoryAdmissionStore implements AdmissionStore {
  /** By `windowId`: one entry per counter and window. */
  private readonly windows = new Map<string, WindowCount>();
  private readonly budgets = new Map<string, BudgetTotals>();
  private readonly throttles = new Map<string, Throttle>();
  private nextPruneAtMs = Number.NEGATIVE_INFINITY;

  /** `cache`: the answer cache; without one, `cacheKey` finds nothing and `cacheWrite` is dropped. */
  constructor(private readonly cache?: MemoryCacheStore) {}

  reserve(request: ReservationRequest): Promise<ReservationResult> {
    return new Promise((resolve) => {
      const cached = request.cacheKey === undefined ? undefined : this.cache?.get(request.cacheKey);
      resolve(cached ? { admitted: false, reason: 'cached', cached } : this.reserveNow(planReservation(request)));
    });
  }

  settle(reservation: Reservation, settlement: Settlement): Promise<BudgetStatus | undefined> {
    return new Promise((resolve) => {
      const plan = planSettlement(reservation, settlement);
      const write = settlement.cacheWrite;
      if (write) this.cache?.set(write.key, write.value, write.ttlMs);
      // A window or period already swept is over: adjusting it could change no decision.
      for (const counter of plan.counters) {
        const window = this.windows.get(windowId(counter));
        if (window) window.used = Math.max(0, window.used + counter.change);
      }
      const budget = plan.budget && this.budgets.get(plan.budget.key);
      if (plan.budget && budget) {
        const slot = holdSlot(plan.budget.heldAtMs);
        const held = budget.held.get(slot);
        if (held !== undefined) budget.held.set(slot, Math.max(0, held - plan.budget.releaseMicros));
        budget.spentMicros += plan.budget.spendMicros;
      }
      if (!reservation.budget) return resolve(undefined);
      const totals = this.budgets.get(reservation.budget.key);
      resolve({ spentMicros: totals?.spentMicros ?? 0, reservedMicros: heldNow(totals, settlement.nowMs ?? Date.now(), reservation.budget.holdMs) });
    });
  }

  throttle(key: string, untilMs: number, nowMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.pruneExpired(nowMs);
      const current = this.throttles.get(key);
      if (untilMs > nowMs && (!current || untilMs > current.untilMs)) this.throttles.set(key, { untilMs, expiresAtMs: untilMs + EXPIRY_MARGIN_MS });
      resolve();
    });
  }

  /** How many windows, budgets and throttles are held: what bounds this store's memory. */
  trackedEntries(): number {
    return this.windows.size + this.budgets.size + this.throttles.size;
  }

  private reserveNow(plan: ReservationPlan): ReservationResult {
    const { nowMs } = plan;
    this.pruneExpired(nowMs);
    // Check everything before charging anything: a refusal leaves no trace.
    if (plan.throttleKey !== undefined) {
      const throttle = this.throttles.get(plan.throttleKey);
      if (throttle && throttle.untilMs > nowMs) return throttledDenial(plan.throttleKey, throttle.untilMs, nowMs);
    }
    // Each counter's window, looked up once for the check and the charge.
    const windows = plan.counters.map((counter) => this.windows.get(windowId(counter)));
    for (let i = 0; i < plan.counters.length; i++) {
      const counter = plan.counters[i]!;
      if ((windows[i]?.used ?? 0) + counter.amount > counter.limit) return limitDenial(counter, nowMs);
    }
    if (plan.budget) {
      const totals = this.budgets.get(plan.budget.key);
      const committed = (totals?.spentMicros ?? 0) + heldNow(totals, nowMs, plan.budget.holdMs);
      if (committed + plan.budget.amountMicros > plan.budget.limitMicros) return budgetDenial(plan.budget, nowMs);
    }

    for (let i = 0; i < plan.counters.length; i++) {
      const counter = plan.counters[i]!;
      const window = windows[i];
      if (window) window.used += counter.amount;
      else this.windows.set(windowId(counter), { used: counter.amount, expiresAtMs: counter.windowEndMs + EXPIRY_MARGIN_MS });
    }
    if (plan.budget) {
      const slot = holdSlot(nowMs);
      const totals = this.budgets.get(plan.budget.key) ?? { spentMicros: 0, held: new Map<number, number>(), expiresAtMs: plan.budget.periodEndMs + EXPIRY_MARGIN_MS };
      totals.held.set(slot, (totals.held.get(slot) ?? 0) + plan.budget.amountMicros);
      this.budgets.set(plan.budget.key, totals);
    }
    return admitted(plan);
  }

  /** Drops what has expired. A full sweep, but at most once per interval, so its cost is spread thin. */
  private pruneExpired(nowMs: number): void {
    if (nowMs < this.nextPruneAtMs) return;
    this.nextPruneAtMs = nowMs + PRUNE_INTERVAL_MS;
    for (const entries of [this.windows, this.budgets, this.throttles]) {
      for (const [key, entry] of entries) if (entry.expiresAtMs <= nowMs) entries.delete(key);
    }
  }
}
