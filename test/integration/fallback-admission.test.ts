/**
 * A fallback the call stage turns to is admitted for itself: its gateway-wide limits (the Google project's
 * quota for that model) are reserved, and so is what its worst case costs beyond the model admitted. A
 * fallback that may not take the request is passed over, and the failure that led there stands.
 */
import type { GeminiEmulator } from '../../service/emulator/server';
import { sha256Hex } from '../../service/pipeline/authenticate';
import { startEmulator } from '../support/emulator';
import { capturingLogger, startKeyedGatewayOn, type TestGateway } from '../support/gateway';
import { expectGoogleError, postJson } from '../support/http';
import { roomInMinuteWindow } from '../support/minute-window';
import { startRedis, type RedisServer } from '../support/redis';

const KEY = 'team-a-secret-key';
const BUDGET_KEY = 'team-budget-secret-key';
const ROOMY_KEY = 'team-roomy-secret-key';

// With Redis state too: the fallback's reservation is one more round trip, and its settlement another.
describe.each(['memory', 'redis'] as const)('with %s state', (backend) => {
  let emulator: GeminiEmulator;
  let gateway: TestGateway;
  let logs: ReturnType<typeof capturingLogger>;
  let redis: RedisServer | undefined;

  beforeAll(async () => {
    let upstreamUrl: string;
    ({ emulator, url: upstreamUrl } = await startEmulator());
    logs = capturingLogger();
    if (backend === 'redis') redis = await startRedis();
    gateway = await startKeyedGatewayOn(
      upstreamUrl,
      [
        { id: 'team-a', keySha256: [sha256Hex(KEY)] },
        // $0.005: 1,000 output tokens of Flash-Lite ($2.50 per million) fit, of 3.1 Pro ($12 per million) do not.
        { id: 'team-budget', keySha256: [sha256Hex(BUDGET_KEY)], budget: { usd: 0.005, period: 'day' } },
        // $0.02: room for one 3.1 Pro worst case (1,000 output tokens, $0.012) at a time, not two.
        { id: 'team-roomy', keySha256: [sha256Hex(ROOMY_KEY)], budget: { usd: 0.02, period: 'day' } },
      ],
      {
        GATEWAY_MODELS: JSON.stringify({
          fallbacks: { 'gemini-2.5-flash': ['gemini-3.8-flash', 'gemini-3.5-flash-lite'], 'gemini-3.5-flash-lite': ['gemini-3.1-pro-preview'] },
          limits: { 'gemini-3.8-flash': { rpm: 1 } },
        }),
        ...(redis && { REDIS_URL: redis.url }),
      },
      { logger: logs.logger },
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await emulator.close();
    await redis?.stop();
  });
  beforeEach(() => {
    emulator.recent.length = 0;
    logs.lines.length = 0;
  });

  const call = (model: string, key: string, maxOutputTokens = 64) =>
    postJson(`${gateway.url}/v1beta/models/${model}:generateContent`, { contents: [{ role: 'user', parts: [{ text: `Hello ${Math.random()}` }] }], generationConfig: { maxOutputTokens } }, { 'x-goog-api-key': key });
  const calledModels = (): Array<string | undefined> => emulator.recent.filter((r) => r.method === 'generateContent').map((r) => r.model);

  test("a fallback's gateway-wide rpm holds: once it is spent, the next fallback takes the request", async () => {
    emulator.faults.set([{ kind: 'status', status: 503, model: 'gemini-2.5-flash' }]);
    await roomInMinuteWindow();
    const first = await call('gemini-2.5-flash', KEY);
    expect(first.status).toBe(200);
    expect(first.headers['x-gemini-model-used']).toBe('gemini-3.8-flash');
    const second = await call('gemini-2.5-flash', KEY);
    expect(second.status).toBe(200);
    expect(second.headers['x-gemini-model-used']).toBe('gemini-3.5-flash-lite');
    // 3.8 Flash was asked once: its one request a minute.
    expect(calledModels().filter((model) => model === 'gemini-3.8-flash')).toEqual(['gemini-3.8-flash']);
  });

  test("a dearer fallback meets the budget at its own worst case: passed over, the first model's failure stands", async () => {
    emulator.faults.set([{ kind: 'status', status: 503, model: 'gemini-3.5-flash-lite' }]);
    const response = await call('gemini-3.5-flash-lite', BUDGET_KEY, 1000);
    expectGoogleError(response, 503, 'UNAVAILABLE');
    expect(calledModels()).toEqual(['gemini-3.5-flash-lite']);
    // Its hold is released with the failure: a request that fits is admitted again.
    emulator.faults.clear();
    expect((await call('gemini-3.5-flash-lite', BUDGET_KEY, 1000)).status).toBe(200);
  });

  test("a fallback's extra budget hold ends with the request: only what it cost stays spent", async () => {
    emulator.faults.set([{ kind: 'status', status: 503, model: 'gemini-3.5-flash-lite' }]);
    // Three worst cases of 3.1 Pro ($0.036) are more than the budget, and so are two with a hold left
    // behind: each is admitted only because the one before released its holds and spent what it cost
    // (about $0.001).
    for (let i = 0; i < 3; i++) {
      const response = await call('gemini-3.5-flash-lite', ROOMY_KEY, 1000);
      expect(response.status).toBe(200);
      expect(response.headers['x-gemini-model-used']).toBe('gemini-3.1-pro-preview');
    }
    const spent = logs.lines.filter((l) => l.audit).reduce((sum, l) => sum + (l.audit as { costUsd: number }).costUsd, 0);
    expect(spent).toBeGreaterThan(0);
  });
});
