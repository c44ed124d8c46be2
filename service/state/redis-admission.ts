/**
 * Admission in Redis, shared by every replica: each operation is one Lua script (one round trip) that
 * checks and charges inside Redis, so N replicas enforce one limit (unlike a local pre-check, LiteLLM #40291)
 * and concurrent reservations cannot overshoot a budget between a read and a write.
 *
 * The answer cache lives beside the counters and rides in the same scripts: `reserve` looks the answer up
 * first and charges nothing when it is there; `settle` stores the new answer. A request therefore costs at
 * most two round trips to Redis: one before the upstream call and one after (none after a cache hit).
 *
 * Keys: `<prefix>counter:<key>:<windowMs>:<windowStartMs>` (a string), `<prefix>budget:<key>` (a hash of
 * the `spent` micro-dollars), `<prefix>budget:<key>:held:<slot>` (micro-dollars reserved in one hold slot,
 * see `HOLD_SLOT_MS`, expiring when the longest hold that wrote to it lapses), `<prefix>throttle:<key>` (the throttle's end, epoch ms),
 * each expiring EXPIRY_MARGIN_MS after its window, period, hold or throttle ends; `<prefix>cache:<key>` (an
 * answer's bytes, expiring after its time to live); `<prefix>repaid:<id>` (a repayment recorded, see
 * `addSpent`, kept as long as its budgets and holds).
 */
import type { Redis } from 'ioredis';
import {
  EXPIRY_MARGIN_MS,
  admitted,
  heldSlots,
  holdSlot,
  slotLapsesAtMs,
  budgetDenial,
  limitDenial,
  planReservation,
  planSettlement,
  throttledDenial,
  windowId,
  type ReservationPlan,
} from './admission-plan';
import { DEFAULT_KEY_PREFIX } from './key-prefix';
import { withAdmissionCommands, type AdmissionCommands } from './redis-admission-scripts';
import type { Repayment } from './spend-ledger';
import type { AdmissionStore, BudgetStatus, Reservation, ReservationRequest, ReservationResult, Settlement } from './types';

export interface RedisAdmissionOptions {
  /** Put before every key, so several gateways (or environments) can share one Redis. */
  keyPrefix?: string;
}

export class RedisAdmissionStore implements AdmissionStore {
  private readonly client: Redis & AdmissionCommands;
  private readonly keyPrefix: string;

  constructor(client: Redis, options: RedisAdmissionOptions = {}) {
    this.client = withAdmissionCommands(client);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  }

  async reserve(request: ReservationRequest): Promise<ReservationResult> {
    const plan = planReservation(request);
    const { nowMs, counters, budget, throttleKey } = plan;
    const keys = counters.map((counter) => this.counterKey(counter));
    const cacheKey = request.cacheKey;
    const args = [String(nowMs), String(counters.length), budget ? '1' : '0', throttleKey !== undefined ? '1' : '0', cacheKey !== undefined ? '1' : '0'];
    for (const counter of counters) args.push(String(counter.limit), String(counter.amount), lifetimeMs(counter.windowEndMs, nowMs));
    if (budget) {
      const slots = heldSlots(nowMs, budget.holdMs);
      keys.push(this.budgetKey(budget.key), ...slots.map((slot) => this.heldKey(budget.key, slot)));
      // The current slot's counter lives until this hold lapses.
      args.push(String(budget.limitMicros), String(budget.amountMicros), lifetimeMs(budget.periodEndMs, nowMs), lifetimeMs(slotLapsesAtMs(holdSlot(nowMs), budget.holdMs), nowMs), String(slots.length));
    }
    if (throttleKey !== undefined) keys.push(this.throttleKey(throttleKey));
    if (cacheKey !== undefined) keys.push(this.cacheKey(cacheKey));
    return decodeReserveReply(await this.client.gatewayReserveBuffer(keys.length, ...keys, ...args), plan);
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<BudgetStatus | undefined> {
    const { counters, budget } = planSettlement(reservation, settlement);
    // A TTL of 0 or less means "do not cache", as in the memory cache; PX takes whole milliseconds.
    const write = settlement.cacheWrite && settlement.cacheWrite.ttlMs > 0 ? settlement.cacheWrite : undefined;
    if (counters.length === 0 && !budget && !write) return undefined;
    const keys = counters.map((counter) => this.counterKey(counter));
    const args: Array<string | Buffer> = [String(counters.length), budget ? '1' : '0', write ? '1' : '0', ...counters.map((counter) => String(counter.change))];
    if (budget) {
      const slots = heldSlots(settlement.nowMs ?? Date.now(), budget.holdMs);
      keys.push(this.budgetKey(budget.key), this.heldKey(budget.key, holdSlot(budget.heldAtMs)), ...slots.map((slot) => this.heldKey(budget.key, slot)));
      // Negated here, where `-0` cannot arise (String(-0) is "0"); INCRBY refuses the text "-0".
      args.push(String(-budget.releaseMicros), String(budget.spendMicros), String(slots.length));
    }
    if (write) {
      keys.push(this.cacheKey(write.key));
      args.push(write.value, String(Math.ceil(write.ttlMs)));
    }
    const reply = await this.client.gatewaySettle(keys.length, ...keys, ...args);
    return budget && Array.isArray(reply) ? { spentMicros: Number(reply[0]), reservedMicros: Number(reply[1]) } : undefined;
  }

  async throttle(key: string, untilMs: number, nowMs: number): Promise<void> {
    if (!(untilMs > nowMs)) return;
    await this.client.gatewayThrottle(1, this.throttleKey(key), String(untilMs), lifetimeMs(untilMs, nowMs));
  }

  /**
   * Records in one round trip what Redis missed (see `spend-ledger.ts`): spend added to the budgets' `spent`,
   * estimates released from their hold counters; unless a repayment with the same id was recorded before
   * (a retry of one that timed out yet ran).
   */
  async addSpent(repayment: Repayment, nowMs: number): Promise<void> {
    const owed = repayment.spends.filter((spend) => spend.periodEndMs > nowMs && spend.micros > 0);
    const releases = repayment.releases.filter((release) => release.lapsesAtMs > nowMs && release.micros > 0);
    if (owed.length === 0 && releases.length === 0) return;
    // The id is remembered as long as the longest of its keys lives: after that, a retry changes nothing anyway.
    const remembered = lifetimeMs(Math.max(...owed.map((spend) => spend.periodEndMs), ...releases.map((release) => release.lapsesAtMs)), nowMs);
    const keys = [this.repaymentKey(repayment.id), ...owed.map((spend) => this.budgetKey(spend.key)), ...releases.map((release) => this.heldKey(release.key, release.slot))];
    await this.client.gatewayAddSpent(
      keys.length,
      ...keys,
      remembered,
      String(owed.length),
      ...owed.flatMap((spend) => [String(Math.ceil(spend.micros)), lifetimeMs(spend.periodEndMs, nowMs)]),
      // Negated here, where `-0` cannot arise (each is above zero); INCRBY takes the text as it is.
      ...releases.map((release) => String(-Math.ceil(release.micros))),
    );
  }

  private counterKey(counter: { key: string; windowMs: number; windowStartMs: number }): string {
    return `${this.keyPrefix}counter:${windowId(counter)}`;
  }

  private budgetKey(key: string): string {
    return `${this.keyPrefix}budget:${key}`;
  }

  /** What budget reservations hold in one hold slot (see the reserve script). */
  private heldKey(key: string, slot: number): string {
    return `${this.keyPrefix}budget:${key}:held:${slot}`;
  }

  /** Marks a repayment recorded (see `addSpent`). */
  private repaymentKey(id: string): string {
    return `${this.keyPrefix}repaid:${id}`;
  }

  private throttleKey(key: string): string {
    return `${this.keyPrefix}throttle:${key}`;
  }

  private cacheKey(key: string): string {
    return `${this.keyPrefix}cache:${key}`;
  }
}

/** A key's time to live: until its window, period or throttle ends, plus the margin; PEXPIRE takes whole ms. */
function lifetimeMs(endMs: number, nowMs: number): string {
  return String(Math.ceil(endMs - nowMs) + EXPIRY_MARGIN_MS);
}

/** The reserve script's reply, every string as a Buffer (`gatewayReserveBuffer`). */
function decodeReserveReply(reply: unknown, plan: ReservationPlan): ReservationResult {
  const [outcomeBytes, detailBytes] = Array.isArray(reply) ? (reply as unknown[]) : [];
  const outcome = Buffer.isBuffer(outcomeBytes) ? outcomeBytes.toString('latin1') : outcomeBytes;
  if (outcome === 'cached' && Buffer.isBuffer(detailBytes)) return { admitted: false, reason: 'cached', cached: detailBytes };
  const detail = Buffer.isBuffer(detailBytes) ? detailBytes.toString('latin1') : detailBytes;
  if (outcome === 'admitted') return admitted(plan);
  if (outcome === 'throttled' && plan.throttleKey !== undefined) return throttledDenial(plan.throttleKey, Number(detail), plan.nowMs);
  if (outcome === 'budget' && plan.budget) return budgetDenial(plan.budget, plan.nowMs);
  const counter = outcome === 'limit' ? plan.counters[Number(detail) - 1] : undefined;
  if (counter) return limitDenial(counter, plan.nowMs);
  throw new Error(`unexpected reply from the reserve script: ${String(outcome)}`);
}
