/**
 * The gateway's own `/metrics`, scraped over HTTP from a running gateway: every catalogue family appears
 * under the name and type the catalogue derives, HTTP series carry bounded route templates, `/metrics`
 * records nothing about itself, `promtool check metrics` accepts the text, and the number of series does
 * not grow with the number of callers.
 */
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { EMULATED_MODELS } from '../../service/emulator/models';
import { knownModelLabel } from '../../service/telemetry/bounded-values';
import { createTelemetry, type GatewayTelemetry } from '../../service/telemetry/create';
import { METRICS, promName, type MetricDefinition } from '../../service/telemetry/metrics-catalogue';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { commandAvailable } from '../support/host';
import { familyTypes, parseSamples, samplesOf } from './prom-text';

let telemetry: GatewayTelemetry;
let gateway: TestGateway;

beforeAll(async () => {
  telemetry = createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'test', tracesExporter: 'none', sampleRatio: 0, modelLabel: knownModelLabel(EMULATED_MODELS.map((m) => m.id)) });
  gateway = await startTestGateway({}, { telemetry });
});
afterAll(async () => {
  await gateway.stop();
  await telemetry.shutdown();
});
beforeEach(() => gateway.emulator?.faults.clear());

let sequence = 0;
/** A distinct prompt each time, so the response cache never answers in the upstream's place. */
const body = (): string => JSON.stringify({ contents: [{ role: 'user', parts: [{ text: `hello ${sequence++}` }] }] });
const generate = (model: string, key = 'caller-key'): Promise<number> =>
  fetch(`${gateway.url}/v1beta/models/${model}:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': key }, body: body() }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
const scrape = (): Promise<string> => fetch(`${gateway.url}/metrics`).then((r) => r.text());

/** Runs `count` tasks, `width` at a time. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await task(next++);
  }));
}

const PROM_TYPE: Record<MetricDefinition['kind'], string> = { counter: 'counter', summed_counter: 'counter', updowncounter: 'gauge', summed_updowncounter: 'gauge', histogram: 'histogram', gauge: 'gauge', observable_gauge: 'gauge' };

test('every catalogue family is exposed under its derived name and type; HTTP series are bounded and exclude /metrics', async () => {
  expect(await generate('gemini-2.5-flash')).toBe(200);
  gateway.emulator?.faults.set([{ kind: 'status', status: 503, probability: 1 }]);
  expect(await generate('gemini-2.5-flash')).toBe(503);
  await fetch(`${gateway.url}/healthz`).then((r) => r.arrayBuffer());
  await fetch(`${gateway.url}/no/such/path`).then((r) => r.arrayBuffer());
  await scrape();
  // Events the pipeline reports (some may already have flowed through the gateway itself).
  const e = telemetry.events;
  e.upstreamAttempt({ model: 'gemini-2.5-flash', backend: 'ai-studio', operation: 'streamGenerateContent', durationMs: 900, ttftMs: 200 });
  e.usage({ model: 'gemini-2.5-flash', backend: 'ai-studio', inputTokens: 10, outputTokens: 5, cachedTokens: 2, thinkingTokens: 1, costUsd: 0.001 });
  e.retry({ model: 'gemini-2.5-flash', backend: 'ai-studio', errorType: 'http_503', delayMs: 100 });
  e.fallback({ fromModel: 'gemini-2.5-pro', toModel: 'gemini-2.5-flash', reason: 'breaker_open' });
  e.breakerState({ backend: 'ai-studio', model: 'gemini-2.5-pro', state: 'half_open' });
  e.cache({ model: 'gemini-2.5-flash', result: 'miss' });
  e.admission({ model: 'gemini-2.5-flash', admitted: true, queuedMs: 3 });
  e.budget({ callerId: 'team-a', spentUsd: 1, limitUsd: 10 });
  e.stateBackend({ backend: 'memory', reachable: true });
  e.keyReload({ outcome: 'unchanged' });

  const text = await scrape();
  const types = familyTypes(text);
  for (const metric of Object.values(METRICS) as MetricDefinition[]) expect([promName(metric), types.get(promName(metric))]).toEqual([promName(metric), PROM_TYPE[metric.kind]]);

  const samples = parseSamples(text);
  const counts = samplesOf(samples, 'http_server_request_duration_count').map((s) => s.labels);
  expect(counts).toEqual(
    expect.arrayContaining([
      { http_request_method: 'POST', http_route: '/v1beta/models/{model}:generateContent', http_response_status_code: '200' },
      { http_request_method: 'POST', http_route: '/v1beta/models/{model}:generateContent', http_response_status_code: '503', error_type: '503' },
      { http_request_method: 'GET', http_route: '/healthz', http_response_status_code: '200' },
      { http_request_method: 'GET', http_response_status_code: '404' },
    ]),
  );
  expect(counts.filter((l) => l.http_route === '/metrics')).toEqual([]);
  expect(samplesOf(samples, 'gateway_requests_total', { gen_ai_request_model: 'gemini-2.5-flash', gateway_outcome: 'upstream_error' })).toHaveLength(1);
  expect(samplesOf(samples, 'http_server_request_duration_bucket', { le: '120' }).length).toBeGreaterThan(0);
});

test('promtool check metrics accepts the exposition, without lint findings', async () => {
  if (!commandAvailable('promtool')) return void process.stderr.write('promtool is not on PATH: skipping `promtool check metrics`\n');
  const text = await scrape();
  const result = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }));
    child.stdin?.end(text);
  });
  expect(result).toEqual({ code: 0, output: '' });
});

test('1,000 distinct callers and 1,000 unknown model ids add no series', async () => {
  const models = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3.5-flash'];
  await inParallel(30, 10, (i) => generate(models[i % 3]!, `caller-${i % 10}`));
  const identities = (text: string): string[] =>
    parseSamples(text)
      .filter((s) => !s.name.startsWith('v8js_') && !s.name.startsWith('nodejs_'))
      .map((s) => `${s.name}${JSON.stringify(s.labels)}`)
      .sort();
  const before = identities(await scrape());

  await inParallel(1000, 25, (i) => generate(models[i % 3]!, `caller-${i}-AIzaSy${i}`));
  for (let i = 0; i < 1000; i++) telemetry.events.budget({ callerId: `caller-${i}`, spentUsd: i, limitUsd: 1000 });
  expect(identities(await scrape())).toEqual(before);

  // Unknown models are answered 404 and labelled `other`: a fixed set of new series, whatever the ids.
  await inParallel(500, 25, (i) => generate(`made-up-model-${i}`));
  const withUnknown = identities(await scrape());
  await inParallel(500, 25, (i) => generate(`another-made-up-model-${i}`));
  const text = await scrape();
  expect(identities(text)).toEqual(withUnknown);
  const modelsSeen = new Set(parseSamples(text).map((s) => s.labels.gen_ai_request_model).filter((m) => m !== undefined));
  expect([...modelsSeen].sort()).toEqual([...models, 'other'].sort());
  expect(text).not.toMatch(/caller-|AIza|made-up-model/);
});

test('metricsPort serves the same exposition on a second listener', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const second = createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'test', tracesExporter: 'none', sampleRatio: 0, metricsPort: port, metricsHost: '127.0.0.1' });
  try {
    const text = await (async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
        if (response?.ok) return response.text();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the metrics listener did not answer');
    })();
    expect(familyTypes(text).get('gateway_budget_max_spent_ratio')).toBe('gauge');
  } finally {
    await second.shutdown();
  }
});
