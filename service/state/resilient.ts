/**
 * Redis first, this replica's memory behind it. A Redis operation that fails or outlasts the timeout, or
 * that is not even tried because Redis is known to be unreachable, is served according to the failure
 * mode. What depends on it:
 *
 * - Decisions (`reserve`): `open` answers from memory, on this replica's limits alone (so N replicas admit
 *   up to N times a limit until Redis returns); `closed` throws StateUnavailableError.
 * - Bookkeeping after the upstream call, which has happened and been paid for, so refusing would protect
 *   nothing and only turn a success into an error: `settle` never throws for Redis's sake. A reservation
 *   charged in memory settles in memory; one charged in Redis that cannot be settled keeps its estimate
 *   there (the safe side: estimates are pessimistic) for the rest of its window, or for a budget until its
 *   hold lapses (`BudgetCharge.holdMs`), not until the budget period ends; its real cost is then not
 *   recorded. `throttle` is recorded in memory in `open` mode
 *   (local admission honours it) and dropped in `closed` mode (nothing is admitted locally anyway).
 * - The answer cache (looked up by `reserve`, written by `settle`) falls back to memory in both modes: a miss
 *   is always a correct answer, and no limit hangs on it.
 *
 * A timed-out command may still run in Redis later, charging a reservation that memory also charged: an
 * overcount on the safe side, for the remainder of one window or one budget hold.
 */
import { withDeadline } from './deadline';
import type { FailureMode, Reachability } from './reachability';
import { StateUnavailableError } from './state-unavailable-error';
import type { AdmissionStore, BudgetStatus, Reservation, ReservationRequest, ReservationResult, Settlement } from './types';

/** Which store charged a reservation, carried in the reservation so its settlement goes to the same store. */
export type ChargedBy = 'redis' | 'memory';

export interface ResilientParts<Store> {
  redis: Store;
  memory: Store;
  reachability: Reachability;
  failureMode: FailureMode;
  timeoutMs: number;
}

type Attempt<T> = { answered: true; value: T } | { answered: false; error?: unknown };

export class ResilientAdmissionStore implements AdmissionStore {
  constructor(private readonly parts: ResilientParts<AdmissionStore>) {}

  async reserve(request: ReservationRequest): Promise<ReservationResult> {
    const attempt = await tryRedis(this.parts, () => this.parts.redis.reserve(request));
    if (attempt.answered) return markCharger(attempt.value, 'redis');
    if (this.parts.failureMode === 'closed' && request.cacheKey !== undefined) {
      // A cached answer needs no shared limit: the local cache still serves it; anything else needs Redis.
      const local = await this.parts.memory.reserve({ counters: [], nowMs: request.nowMs, cacheKey: request.cacheKey });
      if (!local.admitted && local.reason === 'cached') return local;
    }
    this.refuseIfClosed('reserve', attempt);
    return markCharger(await this.parts.memory.reserve(request), 'memory');
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<BudgetStatus | undefined> {
    if (chargerOf(reservation) === 'memory') return this.parts.memory.settle(reservation, settlement);
    const attempt = await tryRedis(this.parts, () => this.parts.redis.settle(reservation, settlement));
    if (attempt.answered) return attempt.value;
    // The estimates stay charged in Redis; the answer is still worth keeping, here. An empty reservation
    // settles nothing in memory, so only the cache write happens.
    if (settlement.cacheWrite) await this.parts.memory.settle({ counters: [] }, { actualAmounts: {}, cacheWrite: settlement.cacheWrite });
    return undefined;
  }

  async throttle(key: string, untilMs: number, nowMs: number): Promise<void> {
    const attempt = await tryRedis(this.parts, () => this.parts.redis.throttle(key, untilMs, nowMs));
    if (!attempt.answered && this.parts.failureMode === 'open') await this.parts.memory.throttle(key, untilMs, nowMs);
  }

  private refuseIfClosed(operation: string, attempt: { error?: unknown }): void {
    if (this.parts.failureMode === 'closed') throw new StateUnavailableError(operation, { cause: attempt.error });
  }
}

async function tryRedis<T>(parts: ResilientParts<unknown>, operation: () => Promise<T>): Promise<Attempt<T>> {
  if (!(await parts.reachability.useRedis())) return { answered: false };
  try {
    return { answered: true, value: await withDeadline(operation(), parts.timeoutMs) };
  } catch (error) {
    // Bad input (a store's validation) is the caller's bug, not Redis being away: memory would refuse it too.
    if (error instanceof RangeError) throw error;
    parts.reachability.reportFailure(error);
    return { answered: false, error };
  }
}

/** A Reservation still, to every other reader; the field only routes `settle`. */
interface ChargedReservation extends Reservation {
  chargedBy: ChargedBy;
}

function markCharger(result: ReservationResult, chargedBy: ChargedBy): ReservationResult {
  if (!result.admitted) return result;
  const reservation: ChargedReservation = { ...result.reservation, chargedBy };
  return { admitted: true, reservation };
}

/** A reservation from elsewhere (not marked) is taken to be Redis's: memory never charged it. */
function chargerOf(reservation: Reservation): ChargedBy {
  return 'chargedBy' in reservation && reservation.chargedBy === 'memory' ? 'memory' : 'redis';
}
