/**
 * The Lua scripts behind `RedisAdmissionStore`: one script per operation, so each check-and-charge is one
 * round trip and runs atomically in Redis, between any two commands of any other replica.
 *
 * Every amount arrives as a decimal string made by JavaScript and goes to INCRBY/HINCRBY unchanged: Lua
 * numbers are doubles, and Redis would print a large one as `1e+15`, which INCRBY refuses.
 */
import type { Redis } from 'ioredis';

/**
 * Looks up the answer cache, then checks the throttle, every counter and the budget of one reservation;
 * charges all of them or none (nothing at all when the cache holds an answer).
 *
 * A budget is a hash of what was `spent`, and what is reserved is held apart, in one counter per hold
 * slot (`HOLD_SLOT_MS`): a reservation counts in its slot's counter, and what is reserved is the sum of
 * the slots the request's hold reaches back to. So a reservation never settled (Redis unreachable then, a
 * timed-out command that ran later) lapses by itself instead of holding the budget until the period ends;
 * and replicas whose holds differ count the same slots.
 * KEYS: [1..n] the counters' window keys; then, when ARGV[3] is '1', the budget hash and the m hold
 *       counters to count, the current one first; then the throttle key when ARGV[4] is '1'; then the
 *       answer's cache key when ARGV[5] is '1'.
 * ARGV: [1] now (epoch ms), [2] n, [3] budget flag, [4] throttle flag, [5] cache flag;
 *       counter i (from 1) at [6 + 3(i-1)]: limit, amount, key lifetime (ms);
 *       after the counters, with a budget: limit (µ$), amount (µ$), the hash's lifetime, the current hold
 *       counter's lifetime (ms), m.
 * Returns {'cached', the stored answer}, {'admitted'}, {'throttled', end of the throttle (epoch ms)},
 * {'limit', i of the refusing counter} or {'budget'}.
 */
export const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local counterCount = tonumber(ARGV[2])
local hasBudget = ARGV[3] == '1'
local hasThrottle = ARGV[4] == '1'
local budgetKey = KEYS[counterCount + 1]
local heldKey = KEYS[counterCount + 2]
local budgetArg = 6 + counterCount * 3
local holdCount = hasBudget and tonumber(ARGV[budgetArg + 4]) or 0
local throttleKey = KEYS[counterCount + (hasBudget and (2 + holdCount) or 1)]

if ARGV[5] == '1' then
  local answer = redis.call('GET', KEYS[#KEYS])
  if answer then
    return {'cached', answer}
  end
end

-- A lifetime only grows: replicas whose clocks differ must not cut one another's windows short.
local function extendLifetime(key, lifetimeMs)
  if redis.call('PTTL', key) < tonumber(lifetimeMs) then
    redis.call('PEXPIRE', key, lifetimeMs)
  end
end

if hasThrottle then
  local untilMs = redis.call('GET', throttleKey)
  if untilMs and tonumber(untilMs) > now then
    return {'throttled', untilMs}
  end
end
for i = 1, counterCount do
  local arg = 6 + (i - 1) * 3
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used + tonumber(ARGV[arg + 1]) > tonumber(ARGV[arg]) then
    return {'limit', i}
  end
end
if hasBudget then
  local spent = tonumber(redis.call('HGET', budgetKey, 'spent') or '0')
  local held = 0
  for i = 1, holdCount do
    held = held + tonumber(redis.call('GET', KEYS[counterCount + 1 + i]) or '0')
  end
  if spent + held + tonumber(ARGV[budgetArg + 1]) > tonumber(ARGV[budgetArg]) then
    return {'budget'}
  end
end

for i = 1, counterCount do
  local arg = 6 + (i - 1) * 3
  redis.call('INCRBY', KEYS[i], ARGV[arg + 1])
  extendLifetime(KEYS[i], ARGV[arg + 2])
end
if hasBudget then
  redis.call('HSETNX', budgetKey, 'spent', '0')
  extendLifetime(budgetKey, ARGV[budgetArg + 2])
  redis.call('INCRBY', heldKey, ARGV[budgetArg + 1])
  extendLifetime(heldKey, ARGV[budgetArg + 3])
end
return {'admitted'}
`;

/**
 * Replaces a reservation's estimates by the real usage, in the windows it was charged in; stores the answer
 * in the cache when one is given.
 * KEYS: [1..n] the counters' window keys; then, when ARGV[2] is '1', the budget hash, the hold counter the
 *       reservation was charged in, and the m hold counters that count now (for the totals); then the
 *       answer's cache key when ARGV[3] is '1'.
 * ARGV: [1] n, [2] budget flag, [3] cache flag, [3 + i] counter i's change (actual − reserved, a signed
 *       integer); after the counters, with a budget: the reserved amount negated, the actual spend (µ$), m;
 *       last, with the cache flag: the answer and its time to live (ms).
 * A key that has expired stays gone: its window, period or hold is over, and recreating it would leave a
 * key that never expires. Nothing goes below zero.
 * Returns {spent, reserved} of the budget after the move (µ$) when there is a budget, else 'settled'.
 */
export const SETTLE_SCRIPT = `
local counterCount = tonumber(ARGV[1])
for i = 1, counterCount do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('INCRBY', KEYS[i], ARGV[3 + i]) < 0 then
    redis.call('SET', KEYS[i], '0', 'KEEPTTL')
  end
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[#KEYS], ARGV[#ARGV - 1], 'PX', ARGV[#ARGV])
end
if ARGV[2] == '1' then
  local budgetKey = KEYS[counterCount + 1]
  local heldKey = KEYS[counterCount + 2]
  if redis.call('EXISTS', heldKey) == 1 and redis.call('INCRBY', heldKey, ARGV[counterCount + 4]) < 0 then
    redis.call('SET', heldKey, '0', 'KEEPTTL')
  end
  if redis.call('EXISTS', budgetKey) == 1 then
    redis.call('HINCRBY', budgetKey, 'spent', ARGV[counterCount + 5])
  end
  local held = 0
  for i = 1, tonumber(ARGV[counterCount + 6]) do
    held = held + tonumber(redis.call('GET', KEYS[counterCount + 2 + i]) or '0')
  end
  return {redis.call('HGET', budgetKey, 'spent') or '0', string.format('%.0f', held)}
end
return 'settled'
`;

/**
 * Throttles a scope, keeping the later of the stored and the new end.
 * KEYS: [1] the throttle key. ARGV: [1] the end (epoch ms), [2] the key's lifetime (ms).
 */
export const THROTTLE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 'throttled'
`;

/**
 * Records what Redis missed while it was unreachable (see `spend-ledger.ts`), once per repayment: adds spend
 * to budgets' `spent`, and releases estimates still held for settlements never sent. A repayment whose id
 * is already recorded (a retry of one that timed out yet ran) changes nothing. The script runs atomically,
 * so nothing runs between the check and the mark.
 * KEYS: [1] the repayment's marker, then the n budget hashes, then the hold counters to release.
 * ARGV: [1] the marker's lifetime (ms), [2] n; for budget i (from 1), at [1 + 2i] the micro-dollars to add
 * and at [2 + 2i] the hash's lifetime (ms); then for hold counter j (from 1), at [2 + 2n + j] the
 * micro-dollars to release, negated. A hash that expired meanwhile is made again, living until its period
 * ends; a hold counter that expired stays gone (its hold has lapsed), and none goes below zero.
 * Returns 'added', or 'already' for a repayment recorded before.
 */
export const ADD_SPENT_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'already'
end
local budgets = tonumber(ARGV[2])
for i = 1, budgets do
  local key = KEYS[1 + i]
  -- A key of another kind (another writer's) can hold no spend, and must not fail the script halfway:
  -- Redis keeps what a failed script wrote, and its retry would add the rest again.
  local kind = redis.call('TYPE', key).ok
  if kind == 'hash' or kind == 'none' then
    redis.call('HINCRBY', key, 'spent', ARGV[1 + 2 * i])
    if redis.call('PTTL', key) < tonumber(ARGV[2 + 2 * i]) then
      redis.call('PEXPIRE', key, ARGV[2 + 2 * i])
    end
  end
end
for j = 1, #KEYS - 1 - budgets do
  local key = KEYS[1 + budgets + j]
  if redis.call('TYPE', key).ok == 'string' and tonumber(redis.call('GET', key)) then
    if redis.call('INCRBY', key, ARGV[2 + 2 * budgets + j]) < 0 then
      redis.call('SET', key, '0', 'KEEPTTL')
    end
  end
end
-- Marked last: a script that failed on the way has not recorded the repayment, and its retry is not refused.
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 'added'
`;

/** The scripts as client methods: ioredis sends EVAL the first time on each connection and EVALSHA after. */
export interface AdmissionCommands {
  /** The reply's strings as Buffers: a cached answer comes back as the bytes stored. */
  gatewayReserveBuffer(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  gatewaySettle(numberOfKeys: number, ...keysAndArgs: Array<string | Buffer>): Promise<unknown>;
  gatewayThrottle(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  gatewayAddSpent(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

export function withAdmissionCommands(client: Redis): Redis & AdmissionCommands {
  client.defineCommand('gatewayReserve', { lua: RESERVE_SCRIPT });
  client.defineCommand('gatewaySettle', { lua: SETTLE_SCRIPT });
  client.defineCommand('gatewayThrottle', { lua: THROTTLE_SCRIPT });
  client.defineCommand('gatewayAddSpent', { lua: ADD_SPENT_SCRIPT });
  return client as Redis & AdmissionCommands;
}
