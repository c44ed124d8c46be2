/**
 * `PipelineEvents` → metrics: each event lands on its catalogue instrument with exactly the bounded
 * attributes expected (whole attribute objects compared, so a caller id, key or stray attribute fails the
 * test), unknown models become `other`, and no event ever throws.
 */
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { PipelineEvents } from '../../service/pipeline/events';
import { knownModelLabel } from '../../service/telemetry/bounded-values';
import { createTelemetry, type GatewayTelemetry } from '../../service/telemetry/create';
import { METRICS } from '../../service/telemetry/metrics-catalogue';
import { TestMetricReader } from './metric-reader';

let telemetry: GatewayTelemetry;
let reader: TestMetricReader;
let events: PipelineEvents;

beforeEach(() => {
  telemetry = createTelemetry({
    serviceName: 'gemini-gateway',
    serviceVersion: 'test',
    tracesExporter: 'none',
    sampleRatio: 0,
    modelLabel: knownModelLabel(['gemini-2.5-flash', 'gemini-2.5-pro']),
    metricReaders: (metricProducers) => [(reader = new TestMetricReader({ metricProducers }))],
  });
  events = telemetry.events;
});
afterEach(() => telemetry.shutdown());

const GEN_AI = { 'gen_ai.operation.name': 'generate_content', 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-flash' };

test('upstreamAttempt records the GenAI duration (error.type only on failure) and time to first chunk', async () => {
  events.upstreamAttempt({ model: 'gemini-2.5-flash', backend: 'ai-studio', operation: 'streamGenerateContent', durationMs: 1500, ttftMs: 300 });
  events.upstreamAttempt({ model: 'gemini-2.5-flash', backend: 'ai-studio', operation: 'generateContent', durationMs: 20, errorType: 'http_503' });
  events.upstreamAttempt({ model: 'gemini-9-secret-preview', backend: 'vertex', operation: 'embedContent', durationMs: 5, errorType: 'Some free text: with spaces' });

  expect(await reader.attributes(METRICS.genAiOperationDuration.name)).toEqual([
    GEN_AI,
    { ...GEN_AI, 'error.type': 'http_503' },
    { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.request.model': 'other', 'error.type': '_OTHER' },
  ]);
  const duration = (await reader.value(METRICS.genAiOperationDuration.name, GEN_AI)) as Histogram;
  expect([duration.count, duration.sum]).toEqual([1, 1.5]);
  expect(await reader.attributes(METRICS.genAiTimeToFirstChunk.name)).toEqual([GEN_AI]);
  expect(((await reader.value(METRICS.genAiTimeToFirstChunk.name, GEN_AI)) as Histogram).sum).toBe(0.3);
});

test('usage records the four token counters (output includes thinking) and cost', async () => {
  events.usage({ model: 'gemini-2.5-flash', backend: 'ai-studio', inputTokens: 1000, outputTokens: 200, cachedTokens: 600, thinkingTokens: 50, costUsd: 0.0125 });
  const values = await Promise.all(
    [METRICS.genAiInputTokens, METRICS.genAiOutputTokens, METRICS.genAiCacheReadInputTokens, METRICS.genAiReasoningOutputTokens].map(async (m) => [await reader.attributes(m.name), await reader.value(m.name, GEN_AI)]),
  );
  expect(values).toEqual([
    [[GEN_AI], 1000],
    [[GEN_AI], 250],
    [[GEN_AI], 600],
    [[GEN_AI], 50],
  ]);
  expect(await reader.points(METRICS.costUsd.name)).toEqual([expect.objectContaining({ attributes: { 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-flash' }, value: 0.0125 })]);
});

test('retry, fallback, breaker, cache, admission, state backend and key reloads carry exactly their labels', async () => {
  events.retry({ model: 'gemini-2.5-pro', backend: 'vertex', errorType: 'http_429', delayMs: 1234 });
  events.fallback({ fromModel: 'gemini-2.5-pro', toModel: 'gemini-2.5-flash', reason: 'breaker_open' });
  events.breakerState({ backend: 'ai-studio', model: 'gemini-2.5-pro', state: 'open' });
  events.cache({ model: 'gemini-2.5-flash', result: 'hit' });
  events.admission({ model: 'gemini-2.5-flash', admitted: false, queuedMs: 250, reason: 'tpm' });
  events.admission({ model: 'gemini-2.5-flash', admitted: true, queuedMs: 0 });
  events.stateBackend({ backend: 'redis', reachable: false });
  events.keyReload({ outcome: 'failed' });

  const attributes = async (m: { name: string }) => reader.attributes(m.name);
  expect(await attributes(METRICS.retries)).toEqual([{ 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.request.model': 'gemini-2.5-pro', 'error.type': 'http_429' }]);
  expect(await attributes(METRICS.fallbacks)).toEqual([{ 'gateway.fallback.from_model': 'gemini-2.5-pro', 'gateway.fallback.to_model': 'gemini-2.5-flash', 'gateway.fallback.reason': 'breaker_open' }]);
  expect(await reader.points(METRICS.breakerState.name)).toEqual([expect.objectContaining({ attributes: { 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-pro' }, value: 2 })]);
  expect(await attributes(METRICS.breakerTransitions)).toEqual([{ 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-pro', 'gateway.breaker.to_state': 'open' }]);
  expect(await attributes(METRICS.cacheLookups)).toEqual([{ 'gen_ai.request.model': 'gemini-2.5-flash', 'gateway.cache.result': 'hit' }]);
  expect(await attributes(METRICS.admissionDecisions)).toEqual([
    { 'gen_ai.request.model': 'gemini-2.5-flash', 'gateway.admission.result': 'rejected', 'gateway.admission.reason': 'tpm' },
    { 'gen_ai.request.model': 'gemini-2.5-flash', 'gateway.admission.result': 'admitted' },
  ]);
  expect(await attributes(METRICS.admissionQueueDuration)).toEqual([
    { 'gen_ai.request.model': 'gemini-2.5-flash', 'gateway.admission.result': 'rejected' },
    { 'gen_ai.request.model': 'gemini-2.5-flash', 'gateway.admission.result': 'admitted' },
  ]);
  expect(await reader.points(METRICS.stateBackendReachable.name)).toEqual([expect.objectContaining({ attributes: { 'gateway.state.backend': 'redis' }, value: 0 })]);
  expect(await attributes(METRICS.keyReloads)).toEqual([{ 'gateway.key.reload.outcome': 'failed' }]);
});

test('budgets are aggregated without caller ids: the highest ratio and callers per threshold', async () => {
  for (let i = 0; i < 1000; i++) events.budget({ callerId: `caller-${i}`, spentUsd: i / 100, limitUsd: 10 });
  expect(await reader.points(METRICS.budgetMaxSpentRatio.name)).toEqual([expect.objectContaining({ attributes: {}, value: 0.999 })]);
  const callers = await reader.points(METRICS.budgetCallers.name);
  expect(callers.map((p) => [p.attributes, p.value])).toEqual([
    [{ 'gateway.budget.threshold': '0.5' }, 500],
    [{ 'gateway.budget.threshold': '0.8' }, 200],
    [{ 'gateway.budget.threshold': '0.9' }, 100],
    [{ 'gateway.budget.threshold': '1' }, 0],
  ]);
});

test('no event throws, whatever it is given', () => {
  const broken = createTelemetry({
    serviceName: 'x',
    serviceVersion: 'x',
    tracesExporter: 'none',
    sampleRatio: 0,
    modelLabel: () => {
      throw new Error('model catalogue unavailable');
    },
  });
  const odd = { model: undefined, backend: 42, result: 'weird', state: 'melted', outcome: null, reason: {} } as never;
  try {
    for (const event of Object.values(broken.events) as Array<(e: never) => void>) expect(() => event(odd)).not.toThrow();
    expect(() => broken.events.usage({ model: 'm', backend: 'vertex', inputTokens: NaN, outputTokens: -1, cachedTokens: 0, thinkingTokens: 0, costUsd: Infinity })).not.toThrow();
  } finally {
    void broken.shutdown();
  }
});
