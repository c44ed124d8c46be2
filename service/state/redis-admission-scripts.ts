/**
 * The Lua scripts behind `RedisAdmissionStore`: one script per operation, so each check-and-charge is one
 * round trip and runs atomically in Redis, between any two commands of any other replica.
 *
 * Every amount arrives as a decimal string made by JavaScript and goes to INCRBY/HINCRBY unchanged: Lua
 * numbers are doubles, and Redis would print a large one as `1e+15`, which INCRBY refuses.
 */
import type { Redis } from 'ioredis';

/**
 * Checks the throttle, every counter and the budget of one reservation; charges all of them or none.
 * KEYS: [1..n] the counters' window keys; then the budget hash when ARGV[3] is '1'; then the throttle key
 *       when ARGV[4] is '1'.
 * ARGV: [1] now (epoch ms), [2] n, [3] budget flag, [4] throttle flag;
 *       counter i (from 1) at [5 + 3(i-1)]: limit, amount, key lifetime (ms);
 *       after the counters, with a budget: limit (µ$), amount (µ$), key lifetime (ms).
 * Returns {'admitted'}, {'throttled', end of the throttle (epoch ms)}, {'limit', i of the refusing counter}
 * or {'budget'}.
 */
export const RESERVE_SCRIPT = `
local now = tonumber(ARGV[1])
local counterCount = tonumber(ARGV[2])
local hasBudget = ARGV[3] == '1'
local hasThrottle = ARGV[4] == '1'
local budgetKey = KEYS[counterCount + 1]
local throttleKey = KEYS[counterCount + (hasBudget and 2 or 1)]
local budgetArg = 5 + counterCount * 3

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
  local arg = 5 + (i - 1) * 3
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if used + tonumber(ARGV[arg + 1]) > tonumber(ARGV[arg]) then
    return {'limit', i}
  end
end
if hasBudget then
  local totals = redis.call('HMGET', budgetKey, 'spent', 'reserved')
  local committed = tonumber(totals[1] or '0') + tonumber(totals[2] or '0')
  if committed + tonumber(ARGV[budgetArg + 1]) > tonumber(ARGV[budgetArg]) then
    return {'budget'}
  end
end

for i = 1, counterCount do
  local arg = 5 + (i - 1) * 3
  redis.call('INCRBY', KEYS[i], ARGV[arg + 1])
  extendLifetime(KEYS[i], ARGV[arg + 2])
end
if hasBudget then
  redis.call('HINCRBY', budgetKey, 'reserved', ARGV[budgetArg + 1])
  extendLifetime(budgetKey, ARGV[budgetArg + 2])
end
return {'admitted'}
`;

/**
 * Replaces a reservation's estimates by the real usage, in the windows it was charged in.
 * KEYS: [1..n] the counters' window keys; then the budget hash when ARGV[2] is '1'.
 * ARGV: [1] n, [2] budget flag, [2 + i] counter i's change (actual − reserved, a signed integer);
 *       after the counters, with a budget: the reserved amount negated, the actual spend (µ$).
 * A key that has expired stays gone: its window or period is over, and recreating it would leave a key
 * that never expires. Nothing goes below zero.
 */
export const SETTLE_SCRIPT = `
local counterCount = tonumber(ARGV[1])
for i = 1, counterCount do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('INCRBY', KEYS[i], ARGV[2 + i]) < 0 then
    redis.call('SET', KEYS[i], '0', 'KEEPTTL')
  end
end
if ARGV[2] == '1' then
  local budgetKey = KEYS[counterCount + 1]
  if redis.call('EXISTS', budgetKey) == 1 then
    if redis.call('HINCRBY', budgetKey, 'reserved', ARGV[counterCount + 3]) < 0 then
      redis.call('HSET', budgetKey, 'reserved', '0')
    end
    redis.call('HINCRBY', budgetKey, 'spent', ARGV[counterCount + 4])
  end
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

/** The scripts as client methods: ioredis sends EVAL the first time on each connection and EVALSHA after. */
export interface AdmissionCommands {
  gatewayReserve(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  gatewaySettle(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  gatewayThrottle(numberOfKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

export function withAdmissionCommands(client: Redis): Redis & AdmissionCommands {
  client.defineCommand('gatewayReserve', { lua: RESERVE_SCRIPT });
  client.defineCommand('gatewaySettle', { lua: SETTLE_SCRIPT });
  client.defineCommand('gatewayThrottle', { lua: THROTTLE_SCRIPT });
  return client as Redis & AdmissionCommands;
}
