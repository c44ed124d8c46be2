/**
 * Redis killed in the middle of continuous load, then restarted, with the gateway built as production
 * builds it (in-process, its real logger captured):
 *
 * - `open` (the default): every request is answered 200 — none fails, none hangs — while Redis is away the
 *   gateway serves on this replica's limits; the outage is logged exactly once and its end exactly once;
 *   once Redis is back, admission is charged in Redis again (its `gw:` counters count new requests).
 * - `closed`: while Redis is away a request that needs shared limits gets Google's 503 UNAVAILABLE (never
 *   a hang, never a 500), `/readyz` says not ready, and it serves again once Redis is back.
 *
 * GATEWAY_REDIS_TIMEOUT_MS is raised to 2 s: the load generator shares this process's event loop with the
 * gateway, and a loop stall past the 250-ms default would count as Redis being away and log a second
 * outage that never happened. A killed server closes its connections at once, so nothing waits that long.
 */
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../support/redis';
import { linesSaying, startCapturedGateway, type CapturedGateway } from './support/captured-gateway';
import { pollUntil } from './support/processes';
import { call, googleErrorProblem, runBounded, sha256Hex, type Reply } from './support/traffic';

jest.setTimeout(60_000);

const MODEL = 'gemini-3.5-flash-lite';
const KEY = 'redis-outage-team-key';
const CALLER_ID = 'load';
const TOTAL = 300;
const CONCURRENCY = 8;
const KILL_AFTER = 100;
const RESTART_AFTER = 200;
/** How long Redis's return may take to be noticed: ioredis reconnects at most 1 s apart. */
const RECOVERY_WAIT_MS = 10_000;

const UNREACHABLE = 'Redis is unreachable';
const RECOVERED = 'Redis is reachable again';

function env(redisUrl: string, failureMode: 'open' | 'closed'): Record<string, string> {
  // Limits far above the load, so every counter and the budget are written to Redis without refusing anyone.
  const callers = [{ id: CALLER_ID, keySha256: [sha256Hex(KEY)], rpm: 1_000_000, tpm: 1_000_000_000, budget: { usd: 1_000, period: 'day' } }];
  return {
    REDIS_URL: redisUrl,
    GATEWAY_STATE_FAILURE_MODE: failureMode,
    GATEWAY_REDIS_TIMEOUT_MS: '2000',
    GATEWAY_CALLERS: JSON.stringify(callers),
    GATEWAY_AUTH_MODE: 'keys',
    GATEWAY_QUEUE_TIMEOUT_MS: '0',
  };
}

/** A distinct prompt per request, so the cache (on, in Redis) answers none of them. */
function generate(gateway: CapturedGateway, index: number, tag: string): Promise<Reply> {
  return call(`${gateway.url}/v1beta/models/${MODEL}:generateContent`, {
    headers: { 'x-goog-api-key': KEY },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `${tag} request ${index}` }] }], generationConfig: { maxOutputTokens: 16 } }),
  });
}

/** The caller's RPM requests counted in Redis, over every window (a minute may turn during the test). */
async function rpmCountedInRedis(client: Redis): Promise<number> {
  const keys = await client.keys(`gw:counter:rpm:caller:${CALLER_ID}:*`);
  const values = keys.length > 0 ? await client.mget(...keys) : [];
  return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
}

describe('failure mode open: Redis killed under load, then restarted', () => {
  let redis: RedisServer | undefined;
  let gateway: CapturedGateway | undefined;
  let client: Redis | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startCapturedGateway(env(redis.url, 'open'));
  });

  afterAll(async () => {
    client?.disconnect();
    await gateway?.stop();
    await redis?.stop();
  });

  test(`${TOTAL} requests, Redis killed after ${KILL_AFTER} and restarted after ${RESTART_AFTER}: all 200, none hung, one outage line and one recovery line`, async () => {
    const g = gateway!;
    const server = redis!;
    let done = 0;
    let killed: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    const failures: string[] = [];

    await runBounded(TOTAL, CONCURRENCY, async (i) => {
      try {
        const reply = await generate(g, i, 'outage');
        if (reply.status !== 200) failures.push(`request ${i}: ${reply.status} ${reply.text.slice(0, 200)}`);
      } catch (error) {
        // A hung request (HungRequestError) or a dropped connection.
        failures.push(`request ${i}: ${(error as Error).message}`);
      }
      done += 1;
      if (done === KILL_AFTER) killed = server.kill();
      // Restart only once the gateway has noticed the outage, so the middle third really runs without Redis.
      if (done === RESTART_AFTER) restarted = killed!.then(() => pollUntil(() => linesSaying(g.logs, UNREACHABLE).length > 0, RECOVERY_WAIT_MS)).then(() => server.restart());
    });
    await restarted;

    expect(failures).toEqual([]);
    expect(await pollUntil(() => linesSaying(g.logs, RECOVERED).length > 0, RECOVERY_WAIT_MS)).toBe(true);
    const outages = linesSaying(g.logs, UNREACHABLE);
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatchObject({ severity: 'WARNING', backend: 'redis', failureMode: 'open' });
    const recoveries = linesSaying(g.logs, RECOVERED);
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]).toMatchObject({ severity: 'INFO', backend: 'redis' });
    expect(g.gateway.state.health.degraded()).toBe(false);
  });

  test('after the restart, admission is charged in Redis again (the gw: counters count every new request)', async () => {
    client = new Redis(redis!.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    const before = await rpmCountedInRedis(client);
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => generate(gateway!, i, 'after restart')));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await rpmCountedInRedis(client)) - before).toBe(5);
    // The budget is back in Redis too: its hash of what was spent, and what is held in this hold period.
    expect((await client.keys(`gw:budget:*${CALLER_ID}*`)).sort()).toEqual([expect.stringMatching(/:\d{4}-\d{2}-\d{2}$/), expect.stringMatching(/:held:\d+$/)]);
  });
});

describe('failure mode closed: Redis killed, then restarted', () => {
  let redis: RedisServer | undefined;
  let gateway: CapturedGateway | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startCapturedGateway(env(redis.url, 'closed'));
  });

  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  test('with Redis up, requests are served', async () => {
    expect((await generate(gateway!, 0, 'closed before')).status).toBe(200);
    expect((await call(`${gateway!.url}/readyz`)).status).toBe(200);
  });

  test('with Redis down, requests get a Google-shaped 503 UNAVAILABLE at once (no hang, no 500), and /readyz is 503', async () => {
    await redis!.kill();
    expect(await pollUntil(() => linesSaying(gateway!.logs, UNREACHABLE).length > 0, RECOVERY_WAIT_MS)).toBe(true);
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => generate(gateway!, i, 'closed during')));
    for (const reply of replies) {
      expect(googleErrorProblem(reply, 503, 503)).toBeUndefined();
      expect((JSON.parse(reply.text) as { error: { status: string } }).error.status).toBe('UNAVAILABLE');
    }
    expect((await call(`${gateway!.url}/readyz`)).status).toBe(503);
    // The outage is logged once, not once more (with a stack trace) per refused request.
    expect(linesSaying(gateway!.logs, UNREACHABLE)).toHaveLength(1);
    expect(gateway!.logs.filter((line) => line.severity === 'ERROR').map((line) => line.message)).toEqual([]);
  });

  test('once Redis is back, requests are served again and the recovery is logged once', async () => {
    await redis!.restart();
    expect(await pollUntil(() => linesSaying(gateway!.logs, RECOVERED).length > 0, RECOVERY_WAIT_MS)).toBe(true);
    expect((await generate(gateway!, 0, 'closed after')).status).toBe(200);
    expect((await call(`${gateway!.url}/readyz`)).status).toBe(200);
    expect(linesSaying(gateway!.logs, RECOVERED)).toHaveLength(1);
  });
});
