/**
 * `REDIS_KEY_PREFIX`: gateways that share one Redis under different prefixes share nothing (limits, budgets,
 * cached answers); under the same prefix they share everything, as replicas of one deployment must.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { roomInMinuteWindow } from '../support/minute-window';
import { postJson } from '../support/http';
import { startRedis, type RedisServer } from '../support/redis';

const KEY = 'team-a-key';
const callers = JSON.stringify([{ id: 'team-a', keySha256: [createHash('sha256').update(KEY).digest('hex')], rpm: 1 }]);
const ask = (gateway: TestGateway, text: string) =>
  postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`, { contents: [{ role: 'user', parts: [{ text }] }] }, { 'x-goog-api-key': KEY });

let redis: RedisServer;
const gateways: TestGateway[] = [];
const gateway = async (prefix: string): Promise<TestGateway> => {
  const started = await startTestGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: callers });
  gateways.push(started);
  return started;
};

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await redis.stop();
});

test('another prefix is another deployment: its own rpm and its own cache; the same prefix shares both', async () => {
  await roomInMinuteWindow();
  const staging = await gateway('staging:');
  const dev = await gateway('dev:');
  const stagingReplica = await gateway('staging:');

  expect((await ask(staging, 'the one request of the minute')).status).toBe(200);
  // Dev's rpm counter is its own, and staging's answer is not in dev's cache.
  const fromDev = await ask(dev, 'the one request of the minute');
  expect(fromDev.status).toBe(200);
  expect(fromDev.headers['x-cache']).toBe('MISS');
  // A replica of staging shares staging's answer and its rpm.
  expect((await ask(stagingReplica, 'the one request of the minute')).headers['x-cache']).toBe('HIT');
  expect((await ask(stagingReplica, 'a second request in the minute')).status).toBe(429);

  const client = new Redis(redis.url);
  try {
    const keys = await client.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith('staging:') || key.startsWith('dev:'))).toBe(true);
  } finally {
    client.disconnect();
  }
});
