/**
 * OpenAI calls (`POST chat/completions`, `POST embeddings`) are served without Express, by the OpenAI call
 * lane (`service/api/openai-routes.ts`). The Express routes still answer the same paths spelled with a
 * trailing slash, so each request here goes both ways: the lane must answer as the routes do, in status,
 * headers and body, for answers and for every kind of failure, and the steps every request passes (access
 * line, metrics) must see it the same.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createTelemetry } from '../../service/telemetry/create';
import { capturingLogger, startTestGateway, type TestGateway } from '../support/gateway';
import { send, sseEvents, type RawResponse } from '../support/http';

const KEY = 'openai-lane-key';
const MODEL = 'gemini-3.5-flash';
const logs = capturingLogger('debug');
let gateway: TestGateway;

beforeAll(async () => {
  const caller = { id: 'openai-lane', keySha256: [createHash('sha256').update(KEY).digest('hex')] };
  const telemetry = createTelemetry({ serviceName: 'openai-lane-test', serviceVersion: 'test', tracesExporter: 'none', sampleRatio: 0 });
  gateway = await startTestGateway(
    { GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([caller]), GATEWAY_MAX_BODY_BYTES: String(64 * 1024), GATEWAY_CACHE_TTL_SECONDS: '0' },
    { logger: logs.logger, telemetry },
  );
});
afterAll(() => gateway.stop());

const auth = { authorization: `Bearer ${KEY}` };
const chat = (extra: Record<string, unknown> = {}): string => JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...extra });

/** What a response says, without what differs between any two calls (ids, times, generated text). */
function comparable(response: RawResponse): Record<string, unknown> {
  const { 'x-request-id': requestId, date: _date, ...headers } = response.headers;
  expect(requestId === undefined || typeof requestId === 'string').toBe(true);
  let body: unknown = response.text;
  if (String(headers['content-type']).startsWith('application/json')) {
    body = response.json<Record<string, unknown>>();
    const value = body as { id?: unknown; created?: unknown; choices?: unknown; error?: unknown; data?: unknown };
    if (value.error === undefined) body = { ...value, id: typeof value.id, created: typeof value.created, choices: Array.isArray(value.choices) ? value.choices.length : value.choices };
  } else if (String(headers['content-type']).startsWith('text/event-stream')) {
    body = sseEvents(response.text).length > 0;
  }
  const { 'content-length': length, ...rest } = headers;
  return { status: response.status, headers: { ...rest, 'content-length': length === undefined ? undefined : 'set' }, body };
}

/** The same request to the lane's path and to the routes' spelling of it. */
async function bothWays(path: string, init: { method?: string; body?: string | Buffer; headers?: Record<string, string> }): Promise<[RawResponse, RawResponse]> {
  const lane = await send(`${gateway.url}${path}`, init);
  const routes = await send(`${gateway.url}${path}/`, init);
  return [lane, routes];
}

test.each([
  ['a chat completion', '/v1/chat/completions', { body: chat(), headers: auth }, 200],
  ['a chat completion at Google’s base path', '/v1beta/openai/chat/completions', { body: chat(), headers: auth }, 200],
  ['a gzip-compressed chat body', '/v1/chat/completions', { body: gzipSync(chat()), headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 200],
  ['an embedding', '/v1/embeddings', { body: JSON.stringify({ model: 'gemini-embedding-001', input: 'hi' }), headers: auth }, 200],
  ['no key', '/v1/chat/completions', { body: chat() }, 401],
  ['a wrong key', '/v1/chat/completions', { body: chat(), headers: { authorization: 'Bearer not-a-key' } }, 401],
  ['malformed JSON', '/v1/chat/completions', { body: '{"model":', headers: auth }, 400],
  ['a form body', '/v1/chat/completions', { body: 'model=x', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } }, 415],
  ['a body over the size limit', '/v1/chat/completions', { body: chat({ messages: [{ role: 'user', content: 'x'.repeat(80 * 1024) }] }), headers: auth }, 413],
  ['gzip header on bytes that are not gzip', '/v1/chat/completions', { body: 'not gzip', headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 400],
  ['a model that does not exist', '/v1/chat/completions', { body: chat({ model: 'gpt-nothing' }), headers: auth }, 404],
  ['a field of the wrong type', '/v1/embeddings', { body: JSON.stringify({ model: 'gemini-embedding-001', input: 42 }), headers: auth }, 400],
] as const)('%s: the lane answers as the routes do', async (_name, path, init, status) => {
  const [lane, routes] = await bothWays(path, init);
  expect(lane.status).toBe(status);
  expect(comparable(lane)).toEqual(comparable(routes));
  expect(lane.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(lane.headers['content-length'])).toBe(Buffer.byteLength(lane.text));
});

test('a streamed chat completion: the lane streams as the routes do, to [DONE]', async () => {
  const [lane, routes] = await bothWays('/v1/chat/completions', { body: chat({ stream: true }), headers: auth });
  expect(lane.status).toBe(200);
  expect(comparable(lane)).toEqual(comparable(routes));
  expect(lane.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  expect(lane.text.endsWith('data: [DONE]\n\n')).toBe(true);
});

test('what the lane does not take still reaches the routes: other methods, and paths it does not know', async () => {
  const get = await send(`${gateway.url}/v1/chat/completions`, { headers: auth });
  expect(get.status).toBe(405);
  expect(get.headers.allow).toBe('POST');
  const unknown = await send(`${gateway.url}/v1beta/openai/chat/completion`, { body: chat(), headers: auth });
  expect(unknown.status).toBe(404);
  expect(unknown.json<{ error: { code: string } }>().error.code).toBe('unknown_url');
});

test('lane calls get the access line and metrics every request gets', async () => {
  logs.lines.length = 0;
  await send(`${gateway.url}/v1/chat/completions`, { body: chat(), headers: auth });
  await send(`${gateway.url}/v1/chat/completions`, { body: chat() });
  await new Promise((resolve) => setImmediate(resolve));
  const access = logs.lines.filter((l) => l.httpRequest).map((l) => l.httpRequest as { requestUrl: string; status: number; responseSize?: string });
  expect(access).toEqual([
    expect.objectContaining({ requestUrl: '/v1/chat/completions', status: 200, responseSize: expect.stringMatching(/^[1-9][0-9]*$/) as unknown }),
    expect.objectContaining({ requestUrl: '/v1/chat/completions', status: 401, responseSize: expect.stringMatching(/^[1-9][0-9]*$/) as unknown }),
  ]);
  const metrics = await send(`${gateway.url}/metrics`);
  expect(metrics.text).toMatch(/http_server_request_duration_count\{[^}]*http_route="\/v1\/chat\/completions"[^}]*\} [1-9]/);
});
