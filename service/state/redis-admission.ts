/**
 * Admission in Redis, shared by every replica: each operation is one Lua script (one round trip) that
 * checks and charges inside Redis, so N replicas enforce one limit (unlike a local pre-check, LiteLLM #40291)
 * and concurrent reservations cannot overshoot a budget between a read and a write.
 *
 * Keys: `<prefix>counter:<key>:<windowMs>:<windowStartMs>` (a string), `<prefix>budget:<key>` (a hash of
 * `spent` and `reserved` micro-dollars), `<prefix>throttle:<key>` (the throttle's end, epoch ms). Each
 * expires EXPIRY_MARGIN_MS after its window, period or throttle ends.
 */
import type { Redis } from 'ioredis';
import {
  EXPIRY_MARGIN_MS,
  admitted,
  budgetDenial,
  limitDenial,
  planReservation,
  planSettlement,
  throttledDenial,
  windowId,
  type ReservationPlan,
} from './admission-plan';
import { DEFAULT_KEY_PREFIX } from './redis-client';
import { withAdmissionCommands, type AdmissionCommands } from './redis-admission-scripts';
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
    const args = [String(nowMs), String(counters.length), budget ? '1' : '0', throttleKey !== undefined ? '1' : '0'];
    for (const counter of counters) args.push(String(counter.limit), String(counter.amount), lifetimeMs(counter.windowEndMs, nowMs));
    if (budget) {
      keys.push(this.budgetKey(budget.key));
      args.push(String(budget.limitMicros), String(budget.amountMicros), lifetimeMs(budget.periodEndMs, nowMs));
    }
    if (throttleKey !== undefined) keys.push(this.throttleKey(throttleKey));
    return decodeReserveReply(await this.client.gatewayReserve(keys.length, ...keys, ...args), plan);
  }

  async settle(reservation: Reservation, settlement: Settlement): Promise<void> {
    const { counters, budget } = planSettlement(reservation, settlement);
    if (counters.length === 0 && !budget) return;
    const keys = counters.map((counter) => this.counterKey(counter));
    const args = [String(counters.length), budget ? '1' : '0', ...counters.map((counter) => String(counter.change))];
    if (budget) {
      keys.push(this.budgetKey(budget.key));
      // Negated here, where `-0` cannot arise (String(-0) is "0"); HINCRBY refuses the text "-0".
      args.push(String(-budget.releaseMicros), String(budget.spendMicros));
    }
    await this.client.gatewaySettle(keys.length, ...keys, ...args);
  }

  async throttle(key: string, untilMs: number, nowMs: number): Promise<void> {
    if (!(untilMs > nowMs)) return;
    await this.client.gatewayThrottle(1, this.throttleKey(key), String(untilMs), lifetimeMs(untilMs, nowMs));
  }

  async budgetStatus(key: string): Promise<BudgetStatus> {
    const [spent, reserved] = await this.client.hmget(this.budgetKey(key), 'spent', 'reserved');
    return { spentMicros: Number(spent ?? 0), reservedMicros: Number(reserved ?? 0) };
  }

  private counterKey(counter: { key: string; windowMs: number; windowStartMs: number }): string {
    return `${this.keyPrefix}counter:${windowId(counter)}`;
  }

  private budgetKey(key: string): string {
    return `${this.keyPrefix}budget:${key}`;
  }

  private throttleKey(key: string): string {
    return `${this.keyPrefix}throttle:${key}`;
  }
}

/** A key's time to live: until its window, period or throttle ends, plus the margin; PEXPIRE takes whole ms. */
function lifetimeMs(endMs: number, nowMs: number): string {
  return String(Math.ceil(endMs - nowMs) + EXPIRY_MARGIN_MS);
}

function decodeReserveReply(reply: unknown, plan: ReservationPlan): ReservationResult {
  const [outcome, detail] = Array.isArray(reply) ? (reply as unknown[]) : [];
  if (outcome === 'admitted') return admitted(plan);
  if (outcome === 'throttled' && plan.throttleKey !== undefined) return throttledDenial(plan.throttleKey, Number(detail), plan.nowMs);
  if (outcome === 'budget' && plan.budget) return budgetDenial(plan.budget, plan.nowMs);
  const counter = outcome === 'limit' ? plan.counters[Number(detail) - 1] : undefined;
  if (counter) return limitDenial(counter, plan.nowMs);
  throw new Error(`unexpected reply from the reserve script: ${JSON.stringify(reply)}`);
}
