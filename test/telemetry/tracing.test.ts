/**
 * Spans, read back from an in-memory exporter: stage and upstream spans with exactly the expected
 * attributes (whole objects), parent/child links that survive Express body parsing, SERVER spans that
 * continue an incoming `traceparent`, decisions as span events, errors as `error.type` + status, and no
 * key, `key=` query or prompt text in any attribute.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { FaultRuleInput } from '../../service/emulator/faults';
import { GoogleApiError } from '../../service/protocol/errors';
import { activeContext, withContext } from '../../service/telemetry/context-store';
import { createTelemetry, type GatewayTelemetry } from '../../service/telemetry/create';
import { stageSpan, upstreamSpan } from '../../service/telemetry/span-names';
import { startTestGateway } from '../support/gateway';

let exporter: InMemorySpanExporter;
let telemetry: GatewayTelemetry;

function make(sampleRatio = 1): GatewayTelemetry {
  exporter = new InMemorySpanExporter();
  return createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'test', tracesExporter: 'memory', sampleRatio, spanExporter: exporter });
}

beforeEach(() => (telemetry = make()));
afterEach(() => telemetry.shutdown());

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const byName = (name: string): ReadableSpan => {
  const span = spans().find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name} in ${spans().map((s) => s.name).join(', ')}`);
  return span;
};
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

const UPSTREAM = {
  'gen_ai.operation.name': 'generate_content',
  'gen_ai.provider.name': 'gcp.gemini',
  'gen_ai.request.model': 'gemini-2.5-flash',
  'gen_ai.request.stream': false,
};

test('a stage span is INTERNAL; an upstream span inside it is a CLIENT child with exactly its GenAI attributes', async () => {
  await telemetry.tracing.inStage('authenticate', undefined, async () => {
    await telemetry.tracing.inSpan('generate_content gemini-2.5-flash', UPSTREAM, (span) => {
      span.setAttributes({ 'gen_ai.response.model': 'gemini-2.5-flash-001', 'gen_ai.usage.input_tokens': 12 });
      span.recordError('http_503');
      return Promise.resolve();
    });
  });
  const stage = byName('middleware - authenticate');
  const upstream = byName('generate_content gemini-2.5-flash');
  expect([stage.kind, stage.attributes, stage.status.code]).toEqual([SpanKind.INTERNAL, { 'gateway.stage': 'authenticate' }, SpanStatusCode.UNSET]);
  expect(upstream.kind).toBe(SpanKind.CLIENT);
  expect(upstream.attributes).toEqual({ ...UPSTREAM, 'gen_ai.response.model': 'gemini-2.5-flash-001', 'gen_ai.usage.input_tokens': 12, 'error.type': 'http_503' });
  expect(upstream.status).toEqual({ code: SpanStatusCode.ERROR });
  expect(parentOf(upstream)).toBe(stage.spanContext().spanId);
  expect(upstream.spanContext().traceId).toBe(stage.spanContext().traceId);
});

test('span-name helpers give the stage and GenAI inference names and attributes', () => {
  expect(stageSpan('authenticate')).toEqual({ name: 'middleware - authenticate', attributes: { 'gateway.stage': 'authenticate' } });
  expect(stageSpan('admit', 'gemini-3.5-flash')).toEqual({ name: 'middleware - admit', attributes: { 'gateway.stage': 'admit', 'gen_ai.request.model': 'gemini-3.5-flash' } });
  expect(upstreamSpan({ method: 'generateContent', model: 'gemini-2.5-flash', backend: 'ai-studio', stream: false })).toEqual({ name: 'generate_content gemini-2.5-flash', attributes: UPSTREAM });
  expect(upstreamSpan({ method: 'embedContent', model: 'text-embedding-004', backend: 'vertex', stream: false }).name).toBe('embeddings text-embedding-004');
});

test('a rejected stage ends its span with a bounded error.type and no message; the error goes on', async () => {
  const failure = new GoogleApiError(503, 'Upstream said: the prompt "tell me a secret" failed');
  await expect(telemetry.tracing.inSpan('middleware - call upstream', {}, () => Promise.reject(failure))).rejects.toBe(failure);
  const span = byName('middleware - call upstream');
  expect(span.attributes).toEqual({ 'error.type': 'http_503' });
  expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
  expect(span.events).toEqual([]);
});

test('attributes outside the allowed namespaces, content attributes and credentials never reach a span', async () => {
  await telemetry.tracing.inSpan(
    'middleware - validate',
    {
      'gateway.caller.id': 'team-a',
      'gen_ai.input.messages': 'tell me a secret',
      'gen_ai.system_instructions': 'you are…',
      'x-goog-api-key': 'AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'url.full': 'http://x/v1beta/models/m:generateContent?key=AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'gateway.upstream.url': 'https://g/v1beta/models/m:generateContent?alt=sse&key=AIzaSyA-1234567890abcdefghijklmnopqrstu',
      'gateway.note': 'Bearer ya29.a0AfH6SMBsecret',
    },
    () => Promise.resolve(),
  );
  expect(byName('middleware - validate').attributes).toEqual({
    'gateway.caller.id': 'team-a',
    'gateway.upstream.url': 'https://g/v1beta/models/m:generateContent?alt=sse&key=[redacted]',
    'gateway.note': 'Bearer [redacted]',
  });
});

test('pipeline decisions become events on the active span; usage becomes span attributes', async () => {
  await telemetry.tracing.inSpan('middleware - route', {}, () => {
    telemetry.events.cache({ model: 'gemini-2.5-flash', result: 'miss' });
    telemetry.events.admission({ model: 'gemini-2.5-flash', admitted: false, queuedMs: 12.4, reason: 'rpm' });
    telemetry.events.retry({ model: 'gemini-2.5-flash', backend: 'ai-studio', errorType: 'http_429', delayMs: 800 });
    telemetry.events.fallback({ fromModel: 'gemini-2.5-pro', toModel: 'gemini-2.5-flash', reason: 'retries_exhausted' });
    telemetry.events.usage({ model: 'gemini-2.5-flash', backend: 'ai-studio', inputTokens: 10, outputTokens: 4, cachedTokens: 2, thinkingTokens: 3, costUsd: 0.001 });
    return Promise.resolve();
  });
  const span = byName('middleware - route');
  expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
    ['gateway.cache', { 'gateway.cache.result': 'miss' }],
    ['gateway.admission', { 'gateway.admission.result': 'rejected', 'gateway.admission.reason': 'rpm', 'gateway.admission.queued_ms': 12 }],
    ['gateway.retry', { 'error.type': 'http_429', 'gateway.retry.delay_ms': 800 }],
    ['gateway.fallback', { 'gateway.fallback.from_model': 'gemini-2.5-pro', 'gateway.fallback.to_model': 'gemini-2.5-flash', 'gateway.fallback.reason': 'retries_exhausted' }],
  ]);
  expect(span.attributes).toEqual({
    'gen_ai.usage.input_tokens': 10,
    'gen_ai.usage.output_tokens': 7,
    'gen_ai.usage.cache_read.input_tokens': 2,
    'gen_ai.usage.reasoning.output_tokens': 3,
    'gateway.cost.usd': 0.001,
  });
});

describe('the HTTP middleware', () => {
  let server: Server;
  let url: string;

  async function serve(t: GatewayTelemetry): Promise<void> {
    const app = express();
    app.use(t.httpMetrics);
    app.post('/v1beta/models/:id', express.raw({ type: () => true }), (req, res, next) => {
      // The body parser reads through socket events: the stage span must still find the server span.
      t.tracing
        .inSpan('middleware - handle', { 'gateway.stage': 'handle' }, () => Promise.resolve())
        .then(() => res.status(req.params.id?.includes('fail') ? 503 : 200).json({ ok: true }))
        .catch(next);
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIzaSyA-1234567890abcdefghijklmnopqrstu', ...headers }, body: '{"contents":[{"parts":[{"text":"tell me a secret"}]}]}' }).then((r) => r.text());

  test('makes a SERVER span per request with bounded attributes, parent of the stages, continuing traceparent', async () => {
    await serve(telemetry);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await post('/v1beta/models/gemini-2.5-flash:generateContent?key=AIzaSyA-1234567890abcdefghijklmnopqrstu&alt=sse', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await post('/v1beta/models/gemini-2.5-flash-fail:generateContent');
    await telemetry.flushSpans();

    const [first, second] = spans().filter((s) => s.kind === SpanKind.SERVER);
    expect(first!.name).toBe('POST /v1beta/models/{model}:generateContent');
    expect(first!.attributes).toEqual({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'http.route': '/v1beta/models/{model}:generateContent',
      'http.response.status_code': 200,
    });
    expect([first!.spanContext().traceId, parentOf(first!)]).toEqual([traceId, '00f067aa0ba902b7']);
    expect(second!.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    expect(second!.status).toEqual({ code: SpanStatusCode.ERROR });

    const stages = spans().filter((s) => s.name === 'middleware - handle');
    expect(stages.map(parentOf)).toEqual([first!.spanContext().spanId, second!.spanContext().spanId]);
    const everything = JSON.stringify(spans().map((s) => [s.name, s.attributes, s.events]));
    expect(everything).not.toMatch(/AIza|tell me a secret|key=/);
  });

  test('samples new traces by ratio and always follows a sampled parent', async () => {
    await telemetry.shutdown();
    telemetry = make(0);
    await serve(telemetry);
    await post('/v1beta/models/gemini-2.5-flash:generateContent');
    await post('/v1beta/models/gemini-2.5-flash:generateContent', { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    await telemetry.flushSpans();
    expect(spans().map((s) => [s.name, s.spanContext().traceId])).toEqual([
      ['middleware - handle', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['POST /v1beta/models/{model}:generateContent', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ]);
  });
});

test('under a trace its caller did not sample, stage and upstream work runs with no span of its own', async () => {
  const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true });
  const activeSpanIds: Array<string | undefined> = [];
  const note = (): Promise<string> => {
    activeSpanIds.push(trace.getSpanContext(activeContext())?.spanId);
    return Promise.resolve('done');
  };
  const results = await withContext(unsampled, () =>
    Promise.all([
      telemetry.tracing.inStage('admit', 'gemini-2.5-flash', note),
      telemetry.tracing.inUpstreamCall({ method: 'generateContent', model: 'gemini-2.5-flash', backend: 'ai-studio', stream: false }, note),
      telemetry.tracing.inSpan('middleware - handle', { 'gateway.stage': 'handle' }, note),
    ]),
  );
  await telemetry.flushSpans();
  expect(results).toEqual(['done', 'done', 'done']);
  expect(activeSpanIds).toEqual(['00f067aa0ba902b7', '00f067aa0ba902b7', '00f067aa0ba902b7']);
  expect(spans()).toEqual([]);
});

test('with nowhere to export spans, the gateway samples no trace of its own; one its caller sampled stays sampled', async () => {
  const quiet = createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'test', tracesExporter: 'none', sampleRatio: 1 });
  const seen: Array<{ traceId: string; sampled: boolean }> = [];
  const app = express();
  app.use(quiet.httpMetrics);
  app.post('/v1beta/models/:id', (_req, res, next) => {
    quiet.tracing
      .inSpan('middleware - handle', { 'gateway.stage': 'handle' }, () => {
        const span = trace.getSpan(activeContext());
        seen.push({ traceId: span?.spanContext().traceId ?? 'no span', sampled: ((span?.spanContext().traceFlags ?? 0) & TraceFlags.SAMPLED) !== 0 });
        return Promise.resolve();
      })
      .then(() => res.json({}))
      .catch(next);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1beta/models/gemini-2.5-flash:generateContent`;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(url, { method: 'POST', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await fetch(url, { method: 'POST' });
    expect(seen).toEqual([
      { traceId, sampled: true },
      { traceId: expect.stringMatching(/^[0-9a-f]{32}$/) as string, sampled: false },
    ]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await quiet.shutdown();
  }
});

/** The spans of one successful generateContent call to gemini-3.5-flash through a test gateway (cache off). */
async function spansOfCall(parts: unknown[], faults: readonly FaultRuleInput[] = []): Promise<ReadableSpan[]> {
  const gateway = await startTestGateway({ GATEWAY_CACHE_TTL_SECONDS: '0', GATEWAY_RETRY_BASE_DELAY_MS: '1' }, { telemetry });
  try {
    gateway.emulator?.faults.set(faults);
    const response = await fetch(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts }] }),
    });
    expect(response.status).toBe(200);
    await telemetry.flushSpans();
    // Read before the gateway stops: stopping it shuts its telemetry down, which empties the exporter.
    return spans();
  } finally {
    await gateway.stop();
  }
}

test('through the gateway: the stages and every upstream attempt are children of the SERVER span; a failed attempt says why', async () => {
  const recorded = await spansOfCall([{ text: 'trace me' }], [{ kind: 'status', status: 503, count: 1 }]);
  const server = recorded.find((s) => s.kind === SpanKind.SERVER);
  const attempts = recorded.filter((s) => s.kind === SpanKind.CLIENT);
  const stages = recorded.filter((s) => s.name.startsWith('middleware - '));
  expect(attempts.map((s) => [s.name, s.attributes['error.type']])).toEqual([
    ['generate_content gemini-3.5-flash', 'http_503'],
    ['generate_content gemini-3.5-flash', undefined],
  ]);
  expect(attempts[1]!.attributes).toEqual({ ...UPSTREAM, 'gen_ai.request.model': 'gemini-3.5-flash' });
  expect(stages.map((s) => [s.name, s.attributes])).toEqual([
    ['middleware - authenticate', { 'gateway.stage': 'authenticate' }],
    ['middleware - admit', { 'gateway.stage': 'admit', 'gen_ai.request.model': 'gemini-3.5-flash' }],
  ]);
  for (const child of [...attempts, ...stages]) expect(parentOf(child)).toBe(server!.spanContext().spanId);
});

test("through the gateway: counting a prompt with media by URI is a CLIENT span of the request, before its generation's", async () => {
  const recorded = await spansOfCall([{ text: 'Summarise the lecture.' }, { fileData: { mimeType: 'video/mp4', fileUri: 'gs://lectures/intro-60s.mp4' } }]);
  const server = recorded.find((s) => s.kind === SpanKind.SERVER);
  const calls = recorded.filter((s) => s.kind === SpanKind.CLIENT).sort((a, b) => (a.startTime[0] - b.startTime[0]) * 1e9 + (a.startTime[1] - b.startTime[1]));
  expect(calls.map((s) => [s.name, s.attributes['gen_ai.operation.name'], parentOf(s)])).toEqual([
    ['count_tokens gemini-3.5-flash', 'count_tokens', server!.spanContext().spanId],
    ['generate_content gemini-3.5-flash', 'generate_content', server!.spanContext().spanId],
  ]);
});
