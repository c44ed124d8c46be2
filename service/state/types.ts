/**
 * Shared state the pipeline needs. Each store has a memory implementation (one process, the default) and a
 * Redis one (every replica enforces one limit). Every check-and-charge is atomic: no read-modify-write races
 * between requests or replicas. The answer cache has no interface of its own: it rides in the admission
 * store's two operations (looked up by `reserve`, written by `settle`), so a request costs at most two
 * round trips to a shared store.
 */

/**
 * One fixed-window counter, checked and charged together with the others of a reservation. Windows are
 * aligned on the epoch: the window holding `nowMs` starts at `floor(nowMs / windowMs) * windowMs`.
 */
export interface CounterCharge {
  /** e.g. `rpm:caller:team-a:gemini-3.5-flash`; the store adds the window. Unique within a reservation. */
  key: string;
  /** Most units allowed per window. */
  limit: number;
  /**
   * Units to charge now: 1 for a request counter, the token estimate for a token counter; rounded up to a
   * whole unit. An amount above `limit` is never admitted, yet is refused like any other (`limit`, retry at
   * the window's end): compare the two to tell the caller it must ask for less.
   */
  amount: number;
  windowMs: number;
}

/** A money budget over a period, charged pessimistically (the worst-case cost) before the call. */
export interface BudgetCharge {
  /** e.g. `budget:team-a:2026-11`; one key per period. */
  key: string;
  limitMicros: number;
  /** Rounded up to a whole micro-dollar. */
  amountMicros: number;
  /** When the period ends (epoch ms): the key expires then (after a margin for replicas' clock skew). */
  periodEndMs: number;
  /**
   * The longest a request holding this reservation can live (default 15 minutes). In a shared store a
   * reservation whose settlement never arrives (the store unreachable just then, a timed-out command that
   * ran later, a crash) stops holding the budget after this, and at most one hold slot (`HOLD_SLOT_MS`)
   * more, instead of until the period ends.
   */
  holdMs?: number;
}

export interface ReservationRequest {
  counters: CounterCharge[];
  budget?: BudgetCharge;
  /** Adaptive throttling: if this scope is throttled past `nowMs`, nothing is charged. */
  throttleKey?: string;
  nowMs: number;
  /**
   * Looked up first in the answer cache: when it holds an answer, nothing is checked or charged and the
   * answer comes back instead. The lookup and the reservation are one round trip to a shared store.
   */
  cacheKey?: string;
}

/** What was charged, so it can be settled against the real usage later (in the same windows). */
export interface Reservation {
  counters: Array<{ key: string; windowStartMs: number; windowMs: number; amount: number }>;
  budget?: { key: string; amountMicros: number; periodEndMs: number; heldAtMs: number; holdMs: number };
}

export type ReservationResult =
  | { admitted: true; reservation: Reservation }
  /** The answer cache held `cacheKey`: its stored bytes, and nothing charged. */
  | { admitted: false; reason: 'cached'; cached: Buffer }
  | {
      admitted: false;
      /** The counter or budget key that refused, or the throttle key. */
      deniedKey: string;
      reason: 'limit' | 'budget' | 'throttled';
      /** When trying again can succeed: the end of the refusing window, the throttle, or the budget period. */
      retryAfterMs: number;
    };

/**
 * Real usage replacing the estimates: per counter key the actual amount, and the actual cost. A counter
 * left out, or the cost left out, keeps its estimate: without a measurement the pessimistic charge stands.
 */
export interface Settlement {
  actualAmounts: Record<string, number>;
  /** When it is settled (epoch ms; default: the clock's now), for the budget's totals reported back. */
  nowMs?: number;
  actualBudgetMicros?: number;
  /** An answer to keep in the answer cache, written in the same round trip as the settlement. */
  cacheWrite?: CacheWrite;
}

export interface CacheWrite {
  key: string;
  value: Buffer;
  /** 0 or less stores nothing. */
  ttlMs: number;
}

export interface BudgetStatus {
  spentMicros: number;
  reservedMicros: number;
}

export interface AdmissionStore {
  /**
   * Checks every counter, the budget and the throttle; charges all of them or none. Checked in this order:
   * the throttle, the counters as listed, the budget; the first refusal is the one reported.
   */
  reserve(request: ReservationRequest): Promise<ReservationResult>;
  /**
   * Adjusts each counter by (actual − reserved) in the window it was charged in, never below 0; moves the
   * budget from reserved to spent. A window or period that has expired meanwhile is left alone. Returns the
   * budget's totals after the move when the reservation charged a budget (undefined when the store could
   * not tell), so reporting spend costs no second round trip.
   */
  settle(reservation: Reservation, settlement: Settlement): Promise<BudgetStatus | undefined>;
  /** Throttles a scope until `untilMs` (keeps the later of two throttles). */
  throttle(key: string, untilMs: number, nowMs: number): Promise<void>;
}

/** What `/readyz`, logs and metrics learn about the state backend. */
export interface StateHealth {
  readonly backend: 'memory' | 'redis';
  /** True while a shared store is unreachable and local state stands in for it. */
  degraded(): boolean;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
