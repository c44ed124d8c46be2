/**
 * Transport faults between gateway and upstream: each ends in a Google-shaped error within the deadline,
 * and a failure after the first streamed event ends the stream with a terminal error event.
 */
import { postJson, expectGoogleError, sseEvents } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/gateway';

const BODY = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] };
let gateway: TestGateway;
let unaryUrl: string;
let streamUrl: string;

beforeAll(async () => {
  // One attempt, no fallback, no cache: these tests check how each transport failure is reported.
  gateway = await startTestGateway({ GATEWAY_UPSTREAM_TIMEOUT_MS: '1500', GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS: '300', GATEWAY_RETRY_MAX_ATTEMPTS: '1', GATEWAY_MODELS: '{}', GATEWAY_CACHE_TTL_SECONDS: '0' });
  unaryUrl = `${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`;
  streamUrl = `${gateway.url}/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse`;
});
afterAll(() => gateway.stop());
beforeEach(() => gateway.emulator?.faults.clear());

test('an upstream that never answers → 504 DEADLINE_EXCEEDED', async () => {
  gateway.emulator?.faults.set([{ kind: 'timeout', probability: 1 }]);
  expectGoogleError(await postJson(unaryUrl, BODY), 504, 'DEADLINE_EXCEEDED');
});

test('retries and fallbacks stay within GATEWAY_REQUEST_TIMEOUT_MS: the second attempt gets what is left, then 504', async () => {
  const bounded = await startTestGateway({ GATEWAY_UPSTREAM_TIMEOUT_MS: '1000', GATEWAY_REQUEST_TIMEOUT_MS: '1500', GATEWAY_RETRY_BASE_DELAY_MS: '10', GATEWAY_CACHE_TTL_SECONDS: '0' });
  try {
    bounded.emulator?.faults.set([{ kind: 'timeout', probability: 1 }]);
    expectGoogleError(await postJson(`${bounded.url}/v1beta/models/gemini-3.5-flash:generateContent`, BODY), 504, 'DEADLINE_EXCEEDED');
    // Three attempts per model and a fallback chain would make six calls of 1 s each without the request's deadline.
    expect(bounded.emulator?.recent.map((r) => r.path)).toEqual([
      '/v1beta/models/gemini-3.5-flash:generateContent',
      '/v1beta/models/gemini-3.5-flash:generateContent',
    ]);
  } finally {
    await bounded.stop();
  }
});

test('a connection reset → 503 UNAVAILABLE', async () => {
  gateway.emulator?.faults.set([{ kind: 'reset', probability: 1 }]);
  expectGoogleError(await postJson(unaryUrl, BODY), 503, 'UNAVAILABLE');
});

test('a unary body cut in the middle → 503 UNAVAILABLE', async () => {
  gateway.emulator?.faults.set([{ kind: 'midstream-error', probability: 1 }]);
  expectGoogleError(await postJson(unaryUrl, BODY), 503, 'UNAVAILABLE');
});

test('a stream that stalls after one event ends with a DEADLINE_EXCEEDED error event', async () => {
  gateway.emulator?.faults.set([{ kind: 'stall', afterChunks: 1, probability: 1 }]);
  const response = await postJson(streamUrl, BODY);
  expect(response.status).toBe(200);
  const events = sseEvents(response.text);
  expect(events).toHaveLength(2);
  expect(JSON.parse(events[1]!)).toEqual({ error: { code: 504, message: expect.any(String), status: 'DEADLINE_EXCEEDED' } });
});

test('a stream that stalls before its first event is a plain 504', async () => {
  gateway.emulator?.faults.set([{ kind: 'stall', afterChunks: 0, probability: 1 }]);
  expectGoogleError(await postJson(streamUrl, BODY), 504, 'DEADLINE_EXCEEDED');
});

test('a blocked prompt is relayed as Google sends it (finishReason SAFETY)', async () => {
  gateway.emulator?.faults.set([{ kind: 'blocked', probability: 1 }]);
  const response = await postJson(unaryUrl, BODY);
  expect(response.status).toBe(200);
  expect(response.json()).toMatchObject({ candidates: [{ finishReason: 'SAFETY' }] });
});

test('the JSON-array stream (no alt=sse) is one valid JSON array of the same events', async () => {
  const sse = sseEvents((await postJson(streamUrl, BODY)).text).map((e) => JSON.parse(e) as Record<string, unknown>);
  const array = await postJson(streamUrl.replace('?alt=sse', ''), BODY);
  expect(array.headers['content-type']).toMatch(/^application\/json/);
  const parsed = array.json<Array<Record<string, unknown>>>();
  expect(parsed.map((e) => e.candidates)).toEqual(sse.map((e) => e.candidates));
});

test.each(['$alt=sse', '%24alt=sse', 'alt=sse&alt=sse'])('?%s asks for SSE as ?alt=sse does', async (query) => {
  const response = await postJson(streamUrl.replace('alt=sse', query), BODY);
  expect(response.headers['content-type']).toBe('text/event-stream');
  expect(sseEvents(response.text).length).toBeGreaterThan(1);
});

test('the gateway is healthy after every fault', async () => {
  const response = await postJson(unaryUrl, BODY);
  expect(response.status).toBe(200);
});
