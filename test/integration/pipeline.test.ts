/**
 * The pipeline end to end (HTTP → stages → emulator): team keys, routing with deprecations and fallbacks,
 * retries that wait as told, the breaker's whole cycle, budgets, the cache (hit, stream replay,
 * singleflight) and the audit record. Every request ends in a success or a Google-shaped error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Hex } from '../../service/pipeline/authenticate';
import { capturingLogger, startTestGateway, type TestGateway } from '../support/gateway';
import { expectGoogleError, postJson, sseEvents, type RawResponse } from '../support/http';

const KEY_A = 'team-a-secret-key';
const prompt = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });
const generate = (gateway: TestGateway, model: string) => `${gateway.url}/v1beta/models/${model}:generateContent`;
const stream = (gateway: TestGateway, model: string) => `${gateway.url}/v1beta/models/${model}:streamGenerateContent?alt=sse`;
const callsTo = (gateway: TestGateway, model: string) => gateway.emulator?.recent.filter((r) => r.model === model).length ?? 0;

describe('team keys, routing and fallback', () => {
  let gateway: TestGateway;
  const logs = capturingLogger();
  beforeAll(async () => {
    gateway = await startTestGateway(
      {
        GATEWAY_AUTH_MODE: 'keys',
        GATEWAY_CALLERS: JSON.stringify([
          { id: 'team-a', keySha256: [sha256Hex(KEY_A)] },
          { id: 'team-b', keySha256: [sha256Hex('team-b-key')], models: ['fast'], budget: { usd: 0.0001, period: 'day' } },
        ]),
        GATEWAY_MODELS: JSON.stringify({
          aliases: { fast: 'gemini-3.5-flash-lite', precise: 'gemini-3.1-pro-preview' },
          retired: { 'gemini-2.5-pro': { replacement: 'gemini-3.8-flash', shutdown: '2020-01-01' }, 'gemini-2.5-flash': { replacement: 'gemini-3.5-flash-lite', shutdown: '2999-01-01' } },
          fallbacks: { 'gemini-3.1-pro-preview': ['gemini-3.8-flash', 'gemini-3.5-flash-lite'] },
        }),
        GATEWAY_RETRY_BASE_DELAY_MS: '10',
        GATEWAY_BREAKER_MIN_REQUESTS: '4',
        GATEWAY_BREAKER_HALF_OPEN_AFTER_MS: '300',
        GATEWAY_CACHE_TTL_SECONDS: '0',
      },
      { logger: logs.logger },
    );
  });
  afterAll(() => gateway?.stop());
  beforeEach(() => {
    gateway.emulator?.faults.clear();
    gateway.emulator?.resetStats();
  });

  test('a known key is served; an unknown key is 403; no key is 401', async () => {
    expect((await postJson(generate(gateway, 'fast'), prompt('hi'), { 'x-goog-api-key': KEY_A })).status).toBe(200);
    expect((await postJson(generate(gateway, 'fast'), prompt('hi'), { authorization: `Bearer ${KEY_A}` })).status).toBe(200);
    expectGoogleError(await postJson(generate(gateway, 'fast'), prompt('hi'), { 'x-goog-api-key': 'guess' }), 403, 'PERMISSION_DENIED');
    expectGoogleError(await postJson(generate(gateway, 'fast'), prompt('hi')), 401, 'UNAUTHENTICATED');
  });

  test('an alias is served by its model, named in modelVersion and x-gemini-model-used', async () => {
    const response = await postJson(generate(gateway, 'fast'), prompt('hi'), { 'x-goog-api-key': KEY_A });
    expect(response.headers['x-gemini-model-used']).toBe('gemini-3.5-flash-lite');
    expect(response.json<{ modelVersion: string }>().modelVersion).toBe('gemini-3.5-flash-lite');
  });

  test('a shut-down model is remapped with a deprecation header; one shutting down later is served with a warning', async () => {
    const remapped = await postJson(generate(gateway, 'gemini-2.5-pro'), prompt('hi'), { 'x-goog-api-key': KEY_A });
    expect(remapped.headers['x-gemini-model-used']).toBe('gemini-3.8-flash');
    expect(remapped.headers['x-gateway-deprecation']).toMatch(/gemini-2.5-pro was shut down on 2020-01-01; served by gemini-3.8-flash/);
    const warned = await postJson(generate(gateway, 'gemini-2.5-flash'), prompt('hi'), { 'x-goog-api-key': KEY_A });
    expect(warned.headers['x-gemini-model-used']).toBe('gemini-2.5-flash');
    expect(warned.headers['x-gateway-deprecation']).toMatch(/shuts down on 2999-01-01/);
  });

  test('a caller limited to some models gets 403 for others', async () => {
    expectGoogleError(await postJson(generate(gateway, 'precise'), prompt('hi'), { 'x-goog-api-key': 'team-b-key' }), 403, 'PERMISSION_DENIED');
  });

  test('a 429 storm with RetryInfo: the gateway waits as told and the caller gets the answer', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 429, retryDelaySeconds: 0.2, count: 2 }]);
    const started = Date.now();
    const response = await postJson(generate(gateway, 'gemini-3.5-flash'), prompt('storm'), { 'x-goog-api-key': KEY_A });
    expect(response.status).toBe(200);
    expect(callsTo(gateway, 'gemini-3.5-flash')).toBe(3);
    // Lower bound only: two waits of at least the 0.2 s Gemini asked for.
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(logs.lines.filter((l) => l.audit).at(-1)).toMatchObject({ audit: { retries: 2, outcome: 'success', modelUsed: 'gemini-3.5-flash' } });
  });

  test('503 bursts: the breaker opens, the fallback answers, then it half-opens and closes when the model recovers', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 503, model: 'gemini-3.1-pro-preview' }]);
    const answers: RawResponse[] = [];
    for (let i = 0; i < 8; i++) answers.push(await postJson(generate(gateway, 'precise'), prompt(`burst ${i}`), { 'x-goog-api-key': KEY_A }));
    expect(answers.every((a) => a.status === 200 && a.headers['x-gemini-model-used'] === 'gemini-3.8-flash')).toBe(true);
    const proCallsWhileOpen = callsTo(gateway, 'gemini-3.1-pro-preview');
    for (let i = 0; i < 3; i++) await postJson(generate(gateway, 'precise'), prompt(`open ${i}`), { 'x-goog-api-key': KEY_A });
    expect(callsTo(gateway, 'gemini-3.1-pro-preview')).toBe(proCallsWhileOpen); // open: not even tried

    gateway.emulator?.faults.clear();
    await sleep(350); // past GATEWAY_BREAKER_HALF_OPEN_AFTER_MS
    const probe = await postJson(generate(gateway, 'precise'), prompt('probe'), { 'x-goog-api-key': KEY_A });
    expect(probe.headers['x-gemini-model-used']).toBe('gemini-3.1-pro-preview');
    const after = await postJson(generate(gateway, 'precise'), prompt('closed'), { 'x-goog-api-key': KEY_A });
    expect(after.headers['x-gemini-model-used']).toBe('gemini-3.1-pro-preview');
  });

  test('timeouts and resets are retried; a mid-stream error after the first byte is not, and ends with an error event', async () => {
    gateway.emulator?.faults.set([{ kind: 'reset', count: 1 }]);
    expect((await postJson(generate(gateway, 'gemini-3.5-flash'), prompt('reset'), { 'x-goog-api-key': KEY_A })).status).toBe(200);
    expect(callsTo(gateway, 'gemini-3.5-flash')).toBe(2);
    gateway.emulator?.resetStats();
    gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 1 }]);
    const response = await postJson(stream(gateway, 'gemini-3.5-flash'), prompt('mid'), { 'x-goog-api-key': KEY_A });
    const events = sseEvents(response.text);
    expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { code: 503 } });
    expect(callsTo(gateway, 'gemini-3.5-flash')).toBe(1);
  });

  test('a budget is never overshot: the request that could exceed it is refused up front', async () => {
    // $0.0001 = 100 micro-dollars; one Flash-Lite call with 8 192 allowed output tokens may cost ~20 000.
    const refused = await postJson(generate(gateway, 'fast'), prompt('hi'), { 'x-goog-api-key': 'team-b-key' });
    expectGoogleError(refused, 429, 'RESOURCE_EXHAUSTED');
    expect(refused.json()).toMatchObject({ error: { details: [{ reason: 'BUDGET' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo' }] } });
    const small = await postJson(generate(gateway, 'fast'), { ...prompt('hi'), generationConfig: { maxOutputTokens: 20 } }, { 'x-goog-api-key': 'team-b-key' });
    expect(small.status).toBe(200);
  });

  test('Vertex predict embeddings are accounted on their input, like every other embedding call', async () => {
    logs.lines.length = 0;
    const text = 'embed this text, which is long enough to count for several tokens';
    const predict = `${gateway.url}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-embedding-001:predict`;
    expect((await postJson(predict, { instances: [{ content: text }] }, { 'x-goog-api-key': KEY_A })).status).toBe(200);
    const batch = `${gateway.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`;
    expect((await postJson(batch, { requests: [{ content: { parts: [{ text }] } }] }, { 'x-goog-api-key': KEY_A })).status).toBe(200);
    const [viaPredict, viaBatch] = logs.lines.filter((l) => l.audit).map((l) => l.audit as { tokens: { input: number }; costUsd: number });
    expect(viaPredict?.tokens.input).toBeGreaterThan(0);
    expect(viaPredict?.costUsd).toBeGreaterThan(0);
    expect(viaPredict?.tokens.input).toBe(viaBatch?.tokens.input);
  });

  test('the audit record: caller, models, tokens, cost, prompt hash — never the prompt', async () => {
    logs.lines.length = 0;
    await postJson(`${generate(gateway, 'fast')}?key=${KEY_A}`, prompt('a very particular prompt'));
    expect(logs.lines.filter((l) => l.httpRequest)).toEqual([
      expect.objectContaining({ message: 'request', httpRequest: expect.objectContaining({ requestMethod: 'POST', requestUrl: '/v1beta/models/fast:generateContent', status: 200 }) }),
    ]);
    const audits = logs.lines.filter((l) => l.audit);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      severity: 'INFO',
      message: 'audit',
      audit: { caller: 'team-a', modelRequested: 'fast', modelUsed: 'gemini-3.5-flash-lite', backend: 'ai-studio', cache: 'bypass', outcome: 'success', status: 200, priced: true },
    });
    const audit = audits[0]?.audit as { tokens: { input: number; output: number }; costUsd: number; promptHmac: string };
    expect(audit.tokens.input).toBeGreaterThan(0);
    expect(audit.costUsd).toBeGreaterThan(0);
    expect(audit.promptHmac).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(logs.lines)).not.toContain('a very particular prompt');
    expect(JSON.stringify(logs.lines)).not.toContain(KEY_A);
  });

  test("audio input is charged at the model's audio rate, from the modalities Gemini reports", async () => {
    logs.lines.length = 0;
    const audio = Buffer.alloc(400_000, 1).toString('base64');
    const body = { contents: [{ role: 'user', parts: [{ text: 'Transcribe this' }, { inlineData: { mimeType: 'audio/wav', data: audio } }] }] };
    const response = await postJson(generate(gateway, 'gemini-2.5-flash-lite'), body, { 'x-goog-api-key': KEY_A });
    type Usage = { promptTokenCount: number; candidatesTokenCount: number; thoughtsTokenCount?: number; promptTokensDetails: Array<{ modality: string; tokenCount: number }> };
    const usage = response.json<{ usageMetadata: Usage }>().usageMetadata;
    const audioTokens = usage.promptTokensDetails.find((d) => d.modality === 'AUDIO')?.tokenCount ?? 0;
    expect(audioTokens).toBeGreaterThan(500);
    const audit = logs.lines.find((l) => l.audit)?.audit as { costUsd: number; tokens: Record<string, number> };
    expect(audit.tokens).toMatchObject({ input: usage.promptTokenCount, audio: audioTokens });
    // 2.5 Flash-Lite, per 1M tokens: $0.10 text, $0.30 audio, $0.40 output (thinking included).
    const output = usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
    expect(audit.costUsd).toBeCloseTo(((usage.promptTokenCount - audioTokens) * 0.1 + audioTokens * 0.3 + output * 0.4) / 1e6, 5);
  });

  // Last in this gateway's tests: the model stays held back for the 30 s Gemini asked for.
  test('while Gemini holds a model back (a 429 with a long RetryInfo), its requests go down the fallback chain, not to a 429', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 429, model: 'gemini-3.1-pro-preview', retryDelaySeconds: 30, count: 1 }]);
    const first = await postJson(generate(gateway, 'precise'), prompt('held back 1'), { 'x-goog-api-key': KEY_A });
    expect(first.headers['x-gemini-model-used']).toBe('gemini-3.8-flash');
    gateway.emulator?.resetStats();
    logs.lines.length = 0;
    const second = await postJson(generate(gateway, 'precise'), prompt('held back 2'), { 'x-goog-api-key': KEY_A });
    expect(second.status).toBe(200);
    expect(second.headers['x-gemini-model-used']).toBe('gemini-3.8-flash');
    expect(callsTo(gateway, 'gemini-3.1-pro-preview')).toBe(0);
    expect(logs.lines.find((l) => l.audit)).toMatchObject({ audit: { modelRequested: 'precise', modelUsed: 'gemini-3.8-flash', fallbackFrom: 'gemini-3.1-pro-preview', outcome: 'success' } });
  });
});

describe('cache', () => {
  let gateway: TestGateway;
  const logs = capturingLogger();
  beforeAll(async () => {
    gateway = await startTestGateway({ GATEWAY_CACHE_TTL_SECONDS: '60' }, { logger: logs.logger });
  });
  afterAll(() => gateway?.stop());
  beforeEach(() => gateway.emulator?.resetStats());

  test('hit after miss, with the same body; no-cache bypasses', async () => {
    const first = await postJson(generate(gateway, 'gemini-3.5-flash'), prompt('cache me'));
    const second = await postJson(generate(gateway, 'gemini-3.5-flash'), prompt('cache me'));
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(second.text).toBe(first.text);
    expect(second.headers['x-cache-key']).toBe(first.headers['x-cache-key']);
    expect(gateway.emulator?.requestCount).toBe(1);
    const bypass = await postJson(generate(gateway, 'gemini-3.5-flash'), prompt('cache me'), { 'cache-control': 'no-cache' });
    expect(bypass.headers['x-cache']).toBeUndefined();
    expect(gateway.emulator?.requestCount).toBe(2);
  });

  test('field order does not matter; generation settings do', async () => {
    await postJson(generate(gateway, 'gemini-3.5-flash'), { contents: [{ parts: [{ text: 'order' }], role: 'user' }], generationConfig: { temperature: 0.1, topK: 5 } });
    const reordered = await postJson(generate(gateway, 'gemini-3.5-flash'), { generationConfig: { topK: 5, temperature: 0.1 }, contents: [{ role: 'user', parts: [{ text: 'order' }] }] });
    expect(reordered.headers['x-cache']).toBe('HIT');
    const different = await postJson(generate(gateway, 'gemini-3.5-flash'), { generationConfig: { topK: 6, temperature: 0.1 }, contents: [{ role: 'user', parts: [{ text: 'order' }] }] });
    expect(different.headers['x-cache']).toBe('MISS');
  });

  test('every field of the body is in the key: Vertex predict inputs and parameters, embedContentConfig', async () => {
    const predict = `${gateway.url}/v1beta1/projects/p/locations/l/publishers/google/models/text-embedding-004:predict`;
    const first = await postJson(predict, { instances: [{ content: 'first' }] });
    const second = await postJson(predict, { instances: [{ content: 'second' }] });
    const smaller = await postJson(predict, { instances: [{ content: 'first' }], parameters: { outputDimensionality: 4 } });
    expect([first, second, smaller].map((r) => r.headers['x-cache'])).toEqual(['MISS', 'MISS', 'MISS']);
    expect(second.json()).not.toEqual(first.json());
    expect((await postJson(predict, { instances: [{ content: 'second' }] })).text).toBe(second.text);
    const embed = `${gateway.url}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-embedding-2:embedContent`;
    const four = await postJson(embed, { content: { parts: [{ text: 'x' }] }, embedContentConfig: { outputDimensionality: 4 } });
    const eight = await postJson(embed, { content: { parts: [{ text: 'x' }] }, embedContentConfig: { outputDimensionality: 8 } });
    expect([four.headers['x-cache'], eight.headers['x-cache']]).toEqual(['MISS', 'MISS']);
    expect(eight.json<{ embedding: { values: number[] } }>().embedding.values).toHaveLength(8);
  });

  test('the caller\'s dialect is in the key: the same request in the other dialect is answered for that dialect', async () => {
    const body = { content: { parts: [{ text: 'either dialect' }] } };
    const geminiApi = await postJson(`${gateway.url}/v1beta/models/gemini-embedding-2:embedContent`, body);
    const vertex = await postJson(`${gateway.url}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-embedding-2:embedContent`, body);
    expect([geminiApi.headers['x-cache'], vertex.headers['x-cache']]).toEqual(['MISS', 'MISS']);
  });

  test('a stream is replayed exactly, thought parts included', async () => {
    const body = { ...prompt('stream me'), generationConfig: { thinkingConfig: { includeThoughts: true } } };
    const live = await postJson(stream(gateway, 'gemini-3.5-flash'), body);
    const replayed = await postJson(stream(gateway, 'gemini-3.5-flash'), body);
    expect(replayed.headers['x-cache']).toBe('HIT');
    expect(sseEvents(replayed.text)).toEqual(sseEvents(live.text));
    expect(replayed.text).toContain('"thought":true');
    expect(gateway.emulator?.requestCount).toBe(1);
  });

  test('a stream the upstream ends cleanly in mid-answer ends with an error event, is audited as failed and is not cached', async () => {
    logs.lines.length = 0;
    gateway.emulator?.faults.set([{ kind: 'truncate', afterChunks: 2, count: 1 }]);
    const cut = await postJson(stream(gateway, 'gemini-3.5-flash'), prompt('cut short'));
    const events = sseEvents(cut.text);
    expect(events).toHaveLength(3);
    expect(events.slice(0, 2).every((e) => !e.includes('"finishReason"'))).toBe(true);
    expect(JSON.parse(events.at(-1)!)).toEqual({ error: { code: 502, message: 'The upstream model ended the stream before the answer was complete.', status: 'UNAVAILABLE' } });
    expect(logs.lines.filter((l) => l.audit).at(-1)).toMatchObject({ audit: { outcome: 'upstream_error', modelUsed: 'gemini-3.5-flash' } });
    const again = await postJson(stream(gateway, 'gemini-3.5-flash'), prompt('cut short'));
    expect(again.headers['x-cache']).toBe('MISS');
    expect(sseEvents(again.text).at(-1)).toContain('"finishReason":"STOP"');
  });

  test('a stream of several candidates cut after one of them finished ends with an error event and is not cached', async () => {
    const body = { ...prompt('cut between candidates'), generationConfig: { candidateCount: 3 } };
    // The whole stream (not cached: no-store) shows where a candidate finishes while another goes on.
    const whole = sseEvents((await postJson(stream(gateway, 'gemini-3.5-flash'), body, { 'cache-control': 'no-store' })).text);
    const firstFinish = whole.findIndex((event) => event.includes('"finishReason"'));
    expect(firstFinish).toBeGreaterThanOrEqual(0);
    expect(firstFinish).toBeLessThan(whole.length - 1);

    logs.lines.length = 0;
    gateway.emulator?.faults.set([{ kind: 'truncate', afterChunks: firstFinish + 1, count: 1 }]);
    const cut = sseEvents((await postJson(stream(gateway, 'gemini-3.5-flash'), body)).text);
    // Each answer has its own responseId.
    const sameEvents = (events: string[]): string[] => events.map((event) => event.replace(/"responseId":"[^"]*"/, ''));
    expect(sameEvents(cut.slice(0, -1))).toEqual(sameEvents(whole.slice(0, firstFinish + 1)));
    expect(JSON.parse(cut.at(-1)!)).toMatchObject({ error: { code: 502, status: 'UNAVAILABLE' } });
    expect(logs.lines.filter((l) => l.audit).at(-1)).toMatchObject({ audit: { outcome: 'upstream_error' } });
    const again = await postJson(stream(gateway, 'gemini-3.5-flash'), body);
    expect(again.headers['x-cache']).toBe('MISS');
    expect(sameEvents(sseEvents(again.text))).toEqual(sameEvents(whole));
  });

  test('a failed answer is not cached', async () => {
    gateway.emulator?.faults.set([{ kind: 'midstream-error', afterChunks: 1, count: 1 }]);
    const broken = await postJson(`${stream(gateway, 'gemini-3.1-flash-lite')}`, prompt('broken'));
    expect(broken.text).toContain('"error"');
    const again = await postJson(`${stream(gateway, 'gemini-3.1-flash-lite')}`, prompt('broken'));
    expect(again.headers['x-cache']).toBe('MISS');
    expect(again.text).not.toContain('"error"');
  });

  test('singleflight: 10 identical concurrent misses make one upstream call (unary and stream)', async () => {
    gateway.emulator?.faults.set([{ kind: 'latency', latencyMs: 300 }]);
    const unary = await Promise.all(Array.from({ length: 10 }, () => postJson(generate(gateway, 'gemini-3.8-flash'), prompt('together'))));
    expect(new Set(unary.map((r) => r.text)).size).toBe(1);
    expect(gateway.emulator?.requestCount).toBe(1);
    const streams = await Promise.all(Array.from({ length: 10 }, () => postJson(stream(gateway, 'gemini-3.8-flash'), prompt('together'))));
    expect(new Set(streams.map((r) => r.text)).size).toBe(1);
    expect(gateway.emulator?.requestCount).toBe(2);
    gateway.emulator?.faults.clear();
    // One audit line per request: the call that went upstream, and every request that joined it.
    const audits = logs.lines.flatMap((l) => {
      const audit = l.audit as { modelUsed: string; cache: string } | undefined;
      return audit?.modelUsed === 'gemini-3.8-flash' ? [audit.cache] : [];
    });
    expect(audits.filter((c) => c === 'miss')).toHaveLength(2);
    expect(audits.filter((c) => c === 'coalesced')).toHaveLength(18);
  });

  test('singleflight: when the shared call fails, every request that joined it fails too and is audited as failed', async () => {
    const failing = capturingLogger();
    const slow = await startTestGateway({ GATEWAY_CACHE_TTL_SECONDS: '60', EMULATOR_LATENCY_MS: '300' }, { logger: failing.logger });
    try {
      slow.emulator?.faults.set([{ kind: 'status', status: 400 }]);
      const answers = await Promise.all(Array.from({ length: 5 }, () => postJson(generate(slow, 'gemini-3.8-flash'), prompt('fail together'))));
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
      expect(slow.emulator?.requestCount).toBe(1);
      const audits = failing.lines.flatMap((l) => (l.audit ? [l.audit as { cache: string; outcome: string; status: number }] : []));
      expect(audits.map((a) => [a.cache, a.outcome, a.status]).sort()).toEqual([
        ['coalesced', 'upstream_error', 400],
        ['coalesced', 'upstream_error', 400],
        ['coalesced', 'upstream_error', 400],
        ['coalesced', 'upstream_error', 400],
        ['miss', 'upstream_error', 400],
      ]);
    } finally {
      await slow.stop();
    }
  });

  test('singleflight: the requests that joined a stream that fails midway are audited as failed, when it ends', async () => {
    const failing = capturingLogger();
    const slow = await startTestGateway({ GATEWAY_CACHE_TTL_SECONDS: '60', EMULATOR_LATENCY_MS: '300' }, { logger: failing.logger });
    try {
      slow.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 1 }]);
      const answers = await Promise.all(Array.from({ length: 4 }, () => postJson(stream(slow, 'gemini-3.8-flash'), prompt('break together'))));
      for (const answer of answers) expect(JSON.parse(sseEvents(answer.text).at(-1)!)).toMatchObject({ error: { code: 503 } });
      expect(slow.emulator?.requestCount).toBe(1);
      const audits = failing.lines.flatMap((l) => (l.audit ? [l.audit as { cache: string; outcome: string }] : []));
      expect(audits.map((a) => [a.cache, a.outcome]).sort()).toEqual([
        ['coalesced', 'upstream_error'],
        ['coalesced', 'upstream_error'],
        ['coalesced', 'upstream_error'],
        ['miss', 'upstream_error'],
      ]);
    } finally {
      await slow.stop();
    }
  });
});

describe('LOG_LEVEL=warn: diagnostics quieter, the audit trail whole', () => {
  let gateway: TestGateway;
  const logs = capturingLogger('warn');
  beforeAll(async () => {
    gateway = await startTestGateway(
      { GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([{ id: 'team-a', keySha256: [sha256Hex(KEY_A)] }]), GATEWAY_RETRY_MAX_ATTEMPTS: '1', GATEWAY_CACHE_TTL_SECONDS: '0' },
      { logger: logs.logger },
    );
  });
  afterAll(() => gateway?.stop());

  test('a success writes its audit line and no access line; a failure writes both', async () => {
    expect((await postJson(generate(gateway, 'gemini-3.5-flash-lite'), prompt('hi'), { 'x-goog-api-key': KEY_A })).status).toBe(200);
    expect(logs.lines.filter((l) => l.httpRequest)).toEqual([]);
    expect(logs.lines.filter((l) => l.audit)).toEqual([expect.objectContaining({ severity: 'INFO', logName: 'audit', audit: expect.objectContaining({ caller: 'team-a', outcome: 'success', status: 200 }) })]);

    gateway.emulator?.faults.set([{ kind: 'status', status: 503, count: 1 }]);
    expectGoogleError(await postJson(generate(gateway, 'gemini-3.5-flash-lite'), prompt('hi'), { 'x-goog-api-key': KEY_A }), 503, 'UNAVAILABLE');
    expect(logs.lines.filter((l) => l.httpRequest)).toEqual([expect.objectContaining({ severity: 'WARNING', httpRequest: expect.objectContaining({ status: 503 }) })]);
    expect(logs.lines.filter((l) => l.audit).map((l) => (l.audit as { outcome: string }).outcome)).toEqual(['success', 'upstream_error']);
  });
});

describe('GATEWAY_CACHE_MAX_ENTRY_BYTES', () => {
  let gateway: TestGateway;
  const LIMIT = 450;
  beforeAll(async () => {
    // Room for a short answer (about 350 bytes here), not for a longer one (about 560).
    gateway = await startTestGateway({ GATEWAY_CACHE_MAX_ENTRY_BYTES: String(LIMIT) });
  });
  afterAll(() => gateway.stop());

  test('an answer larger than the entry limit is not cached; a smaller one is', async () => {
    const long = prompt('a longer answer');
    const first = await postJson(generate(gateway, 'gemini-3.5-flash'), long);
    expect(first.text.length).toBeGreaterThan(LIMIT);
    expect((await postJson(generate(gateway, 'gemini-3.5-flash'), long)).headers['x-cache']).toBe('MISS');
    const short = { ...prompt('short'), generationConfig: { maxOutputTokens: 5 } };
    const small = await postJson(generate(gateway, 'gemini-3.5-flash'), short);
    expect(small.text.length).toBeLessThan(LIMIT);
    expect((await postJson(generate(gateway, 'gemini-3.5-flash'), short)).headers['x-cache']).toBe('HIT');
  });
});
