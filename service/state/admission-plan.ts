/**
 * The arithmetic both admission stores share (window boundaries, units, refusal times), so the memory store
 * and the Redis script agree to the millisecond and to the unit. The stores differ only in where they count.
 */
import type { BudgetCharge, Reservation, ReservationRequest, ReservationResult, Settlement } from './types';

/**
 * How long a finished window, budget period or throttle is kept after its end. The window is over, but
 * replicas' clocks differ by a little: one that is behind still charges the old window, and must find it.
 */
export const EXPIRY_MARGIN_MS = 5_000;

/** A budget reservation's longest hold when the request does not say (see `BudgetCharge.holdMs`). */
export const DEFAULT_BUDGET_HOLD_MS = 15 * 60_000;

/**
 * Budget reservations are held in slots of this length, numbered from the epoch and keyed by their number
 * alone: replicas whose hold lengths differ (a rollout that changes GATEWAY_REQUEST_TIMEOUT_MS, whose hold
 * follows it) read and write the same counters, and each sees the other's holds.
 */
export const HOLD_SLOT_MS = 2 * 60_000;

/** The slot a reservation made at `nowMs` is held in. */
export function holdSlot(nowMs: number): number {
  return Math.floor(nowMs / HOLD_SLOT_MS);
}

/**
 * The slots whose reservations still hold at `nowMs` under a hold of `holdMs`, the current one first: a
 * reservation never settled lapses after `holdMs` to `holdMs` + one slot.
 */
export function heldSlots(nowMs: number, holdMs: number): number[] {
  const slots: number[] = [];
  for (let slot = holdSlot(nowMs); slot >= oldestHeldSlot(nowMs, holdMs); slot--) slots.push(slot);
  return slots;
}

/** The oldest slot whose reservations still hold at `nowMs` under a hold of `holdMs` (the last of `heldSlots`). */
export function oldestHeldSlot(nowMs: number, holdMs: number): number {
  return holdSlot(nowMs) - Math.ceil(holdMs / HOLD_SLOT_MS);
}

/** When a slot's reservations stop counting under a hold of `holdMs`: its key may expire then. */
export function slotLapsesAtMs(slot: number, holdMs: number): number {
  return (slot + Math.ceil(holdMs / HOLD_SLOT_MS) + 1) * HOLD_SLOT_MS;
}

export interface PlannedCounter {
  key: string;
  limit: number;
  amount: number;
  windowMs: number;
  windowStartMs: number;
  windowEndMs: number;
}

export interface PlannedBudget {
  key: string;
  limitMicros: number;
  amountMicros: number;
  periodEndMs: number;
  holdMs: number;
}

/** A reservation request checked and put in whole units, with every counter placed in its current window. */
export interface ReservationPlan {
  nowMs: number;
  counters: PlannedCounter[];
  budget?: PlannedBudget;
  throttleKey?: string;
}

/** A settlement reduced to what must change: counters with a non-zero change, and the budget transfer. */
export interface SettlementPlan {
  counters: Array<{ key: string; windowMs: number; windowStartMs: number; change: number }>;
  budget?: { key: string; releaseMicros: number; spendMicros: number; heldAtMs: number; holdMs: number };
}

/** Fixed windows aligned on the epoch: every replica computes the same window for the same instant. */
export function windowStartMs(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs) * windowMs;
}

/** One window of one counter: the counter key, the window length and where the window starts. */
export function windowId(counter: { key: string; windowMs: number; windowStartMs: number }): string {
  return `${counter.key}:${counter.windowMs}:${counter.windowStartMs}`;
}

/**
 * Validates a request and rounds every charge up to a whole unit (a token, a micro-dollar): stores count in
 * integers, and rounding up keeps the reservation pessimistic. Throws RangeError on input no store could
 * honour: a counter key twice (settlements name counters by key), a non-finite or negative number, a budget
 * period that has already ended.
 */
export function planReservation(request: ReservationRequest): ReservationPlan {
  const { nowMs } = request;
  requireFinite(nowMs, 'nowMs');
  const seen = new Set<string>();
  const counters = request.counters.map((counter): PlannedCounter => {
    if (seen.has(counter.key)) throw new RangeError(`counter ${counter.key} appears twice in one reservation`);
    seen.add(counter.key);
    if (!(counter.windowMs > 0) || !Number.isFinite(counter.windowMs)) throw new RangeError(`counter ${counter.key}: windowMs must be a positive number`);
    const start = windowStartMs(nowMs, counter.windowMs);
    return {
      key: counter.key,
      limit: nonNegative(counter.limit, `counter ${counter.key}: limit`),
      amount: wholeUnits(counter.amount, `counter ${counter.key}: amount`),
      windowMs: counter.windowMs,
      windowStartMs: start,
      windowEndMs: start + counter.windowMs,
    };
  });
  return {
    nowMs,
    counters,
    ...(request.budget && { budget: planBudget(request.budget, nowMs) }),
    ...(request.throttleKey !== undefined && { throttleKey: request.throttleKey }),
  };
}

function planBudget(budget: BudgetCharge, nowMs: number): PlannedBudget {
  requireFinite(budget.periodEndMs, `budget ${budget.key}: periodEndMs`);
  if (budget.periodEndMs <= nowMs) throw new RangeError(`budget ${budget.key}: its period ended at ${budget.periodEndMs}, before nowMs ${nowMs}`);
  return {
    key: budget.key,
    limitMicros: nonNegative(budget.limitMicros, `budget ${budget.key}: limitMicros`),
    amountMicros: wholeUnits(budget.amountMicros, `budget ${budget.key}: amountMicros`),
    periodEndMs: budget.periodEndMs,
    holdMs: wholeUnits(budget.holdMs ?? DEFAULT_BUDGET_HOLD_MS, `budget ${budget.key}: holdMs`) || DEFAULT_BUDGET_HOLD_MS,
  };
}

/**
 * What settling changes. A counter missing from `actualAmounts` keeps its estimate, and so does the budget
 * without `actualBudgetMicros`: without a measurement, the pessimistic charge stands.
 */
export function planSettlement(reservation: Reservation, settlement: Settlement): SettlementPlan {
  const counters = reservation.counters.flatMap((counter) => {
    const actual = settlement.actualAmounts[counter.key];
    if (actual === undefined) return [];
    const change = wholeUnits(actual, `counter ${counter.key}: actual amount`) - counter.amount;
    return change === 0 ? [] : [{ key: counter.key, windowMs: counter.windowMs, windowStartMs: counter.windowStartMs, change }];
  });
  const { budget } = reservation;
  if (!budget) return { counters };
  const actualMicros = settlement.actualBudgetMicros ?? budget.amountMicros;
  return {
    counters,
    budget: {
      key: budget.key,
      releaseMicros: budget.amountMicros,
      spendMicros: wholeUnits(actualMicros, `budget ${budget.key}: actual spend`),
      heldAtMs: budget.heldAtMs,
      holdMs: budget.holdMs,
    },
  };
}

export function admitted(plan: ReservationPlan): ReservationResult {
  return {
    admitted: true,
    reservation: {
      counters: plan.counters.map(({ key, windowStartMs, windowMs, amount }) => ({ key, windowStartMs, windowMs, amount })),
      ...(plan.budget && {
        budget: { key: plan.budget.key, amountMicros: plan.budget.amountMicros, periodEndMs: plan.budget.periodEndMs, heldAtMs: plan.nowMs, holdMs: plan.budget.holdMs },
      }),
    },
  };
}

/**
 * A counter refused: retry when its window ends. A counter whose single charge exceeds its limit is refused
 * this way too, although no window will ever admit it: the caller compares `amount` with `limit` to tell
 * the two apart and answer with a clear error instead of a retry hint.
 */
export function limitDenial(counter: PlannedCounter, nowMs: number): ReservationResult {
  return { admitted: false, deniedKey: counter.key, reason: 'limit', retryAfterMs: counter.windowEndMs - nowMs };
}

export function budgetDenial(budget: PlannedBudget, nowMs: number): ReservationResult {
  return { admitted: false, deniedKey: budget.key, reason: 'budget', retryAfterMs: budget.periodEndMs - nowMs };
}

export function throttledDenial(throttleKey: string, untilMs: number, nowMs: number): ReservationResult {
  return { admitted: false, deniedKey: throttleKey, reason: 'throttled', retryAfterMs: untilMs - nowMs };
}

function requireFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}

function nonNegative(value: number, what: string): number {
  requireFinite(value, what);
  if (value < 0) throw new RangeError(`${what} must not be negative, got ${value}`);
  return value;
}

function wholeUnits(value: number, what: string): number {
  return Math.ceil(nonNegative(value, what));
}
