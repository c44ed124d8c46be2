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
 *   hold lapses (`BudgetCharge.holdMs`), not until the budget period ends. `throttle` is recorded in memory
 *   in `open` mode (local admission honours it) and dropped in `closed` mode (nothing is admitted locally
 *   anyway).
 * - Budget spend Redis never saw is owed to it (`spend-ledger.ts`): a reservation charged and settled in
 *   memory, and a settlement not sent because Redis was known to be unreachable, whose estimate is owed a
 *   release too. It is paid back when Redis is reachable again, after any command Redis answers while
 *   some is still owed, and when the state closes (a shutdown). So the money an outage spent still counts
 *   against each budget once Redis is back, instead of being spendable again, and an estimate no
 *   settlement reached stops counting then, not when its hold lapses. A repayment is made once: retried
 *   under the same id until Redis confirms it, and Redis records each id once, so one that timed out yet
 *   ran is not added again. A settlement that was sent and failed is not owed: a stalled
 *   Redis may still run it when it resumes, and its spend would count twice. Its real cost is then not
 *   recorded; its estimate held until the hold lapses.
 * - The answer cache (looked up by `reserve`, written by `settle`) falls back to memory in both modes: a miss
 *   is always a correct answer, and no limit hangs on it.
 *
 * A timed-out command may still run in Redis later, charging a reservation that memory also charged: an
 * overcount on the safe side, for the remainder of one window or one budget hold.
 */
import { randomUUID } from 'node:crypto';
import { withDeadline } from './deadline';
import type { FailureMode, Reachability } from './reachability';
import { holdSlot, planSettlement, slotLapsesAtMs } from './admission-plan';
import { SpendLedger, type Repayment } from './spend-ledger';
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

/** Redis's answer; or why there is none: not asked (known to be unreachable), or asked and failed. */
type Attempt<T> = { answered: true; value: T } | { answered: false; asked: false } | { answered: false; asked: true; error: unknown };

/** The Redis store's part in paying back what it is owed. */
export interface SpendRecorder {
  /** Adds a repayment's spend to the budgets, unless a repayment with its id was already recorded. */
  addSpent(repayment: Repayment, nowMs: number): Promise<void>;
}

const NOTHING_OWED: Promise<void> = Promise.resolve();
/** Repayments a closing store makes at most (see `payBackAll`). */
const REPAYMENT_ROUNDS_AT_CLOSE = 5;

export class ResilientAdmissionStore implements AdmissionStore {
  /** Budget spend Redis has not recorded yet, not yet in a repayment. */
  private readonly owed = new SpendLedger();
  /** A repayment sent at least once and not confirmed: sent again, as it is, until it is. */
  private unconfirmed: Repayment | undefined;
  private repaying: Promise<void> | undefined;

  constructor(private readonly parts: ResilientParts<AdmissionStore> & { redis: AdmissionStore & SpendRecorder }) {}

  async reserve(request: ReservationRequest): Promise<ReservationResult> {
    const attempt = await tryRedis(this.parts, () => this.parts.redis.reserve(request));
    if (attempt.answered) {
      void this.payBack();
      return markCharger(attempt.value, 'redis');
    }
    if (this.parts.failureMode === 'closed' && request.cacheKey !== undefined) {
      // A cached answer needs no shared limit: the local cache still serves it; anything else needs Redis.
      const local = await this.parts.memory.reserve({ counters: [], nowMs: request.nowMs, cacheKey: request.cacheKey });
      if (!local.admitted && local.reason === 'cached') return local;
    }
    this.refuseIfClosed('reserve', attempt);
    return markCharger(await this.parts.memory.reserve(request), 'memory');
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<BudgetStatus | undefined> {
    if (chargerOf(reservation) === 'memory') {
      const status = await this.parts.memory.settle(reservation, settlement);
      this.owe(reservation, settlement, { heldInRedis: false });
      return status;
    }
    const attempt = await tryRedis(this.parts, () => this.parts.redis.settle(reservation, settlement));
    if (attempt.answered) {
      void this.payBack();
      return attempt.value;
    }
    // A settlement never sent is owed to Redis, its budget's spend and the release of its estimate. One
    // that failed may still run there (a stalled Redis runs it when it resumes), so owing it too would count
    // it twice: its estimates stay charged in Redis until they lapse. The answer is still worth keeping,
    // here: an empty reservation settles nothing in memory, so only the cache write happens.
    if (!attempt.asked) this.owe(reservation, settlement, { heldInRedis: true });
    if (settlement.cacheWrite) await this.parts.memory.settle({ counters: [] }, { actualAmounts: {}, cacheWrite: settlement.cacheWrite });
    return undefined;
  }

  async throttle(key: string, untilMs: number, nowMs: number): Promise<void> {
    const attempt = await tryRedis(this.parts, () => this.parts.redis.throttle(key, untilMs, nowMs));
    if (attempt.answered) void this.payBack();
    else if (this.parts.failureMode === 'open') await this.parts.memory.throttle(key, untilMs, nowMs);
  }

  /** A settlement's budget spend that Redis did not record, and the estimate it holds there if it does. */
  private owe(reservation: Reservation, settlement: Settlement, { heldInRedis }: { heldInRedis: boolean }): void {
    const { budget } = planSettlement(reservation, settlement);
    if (!budget || !reservation.budget) return;
    this.owed.add(budget.key, budget.spendMicros, reservation.budget.periodEndMs);
    if (!heldInRedis) return;
    const slot = holdSlot(budget.heldAtMs);
    this.owed.release(budget.key, slot, budget.releaseMicros, slotLapsesAtMs(slot, budget.holdMs));
  }

  /**
   * Pays Redis what it is owed, if anything: in the background of the requests, which need not wait for it.
   * Resolves when this attempt is over; if it failed, what it carried stays owed, under the same id.
   */
  payBack(): Promise<void> {
    if (this.repaying) return this.repaying;
    if (!this.unconfirmed) {
      if (this.owed.isEmpty) return NOTHING_OWED;
      const owed = this.owed.take(Date.now());
      if (owed.spends.length === 0 && owed.releases.length === 0) return NOTHING_OWED;
      this.unconfirmed = { id: randomUUID(), ...owed };
    }
    const repayment = this.unconfirmed;
    this.repaying = tryRedis(this.parts, () => this.parts.redis.addSpent(repayment, Date.now()))
      .then(
        (attempt) => attempt.answered,
        () => false,
      )
      .then((paid) => {
        this.repaying = undefined;
        if (!paid) return;
        this.unconfirmed = undefined;
        // Owed while this one was on its way: paid next, not left for the next command Redis answers.
        void this.payBack();
      });
    return this.repaying;
  }

  /**
   * Pays back everything owed, one repayment after another, until nothing is owed or an attempt fails: a
   * shutdown's last try. Requests still settling may owe more meanwhile, so it stops after a few rounds.
   */
  async payBackAll(): Promise<void> {
    for (let round = 0; round < REPAYMENT_ROUNDS_AT_CLOSE; round++) {
      await this.payBack();
      // The next one is on its way already; else what was sent failed (still unconfirmed), or all is paid.
      if (this.repaying === undefined && (this.unconfirmed !== undefined || this.owed.isEmpty)) return;
    }
  }

  private refuseIfClosed(operation: string, attempt: Exclude<Attempt<unknown>, { answered: true }>): void {
    if (this.parts.failureMode === 'closed') throw new StateUnavailableError(operation, { cause: attempt.asked ? attempt.error : undefined });
  }
}

async function tryRedis<T>(parts: ResilientParts<unknown>, operation: () => Promise<T>): Promise<Attempt<T>> {
  if (!(await parts.reachability.useRedis())) return { answered: false, asked: false };
  try {
    return { answered: true, value: await withDeadline(operation(), parts.timeoutMs) };
  } catch (error) {
    // Bad input (a store's validation) is the caller's bug, not Redis being away: memory would refuse it too.
    if (error instanceof RangeError) throw error;
    parts.reachability.reportFailure(error);
    return { answered: false, asked: true, error };
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
