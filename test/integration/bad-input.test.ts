/**
 * Hostile and malformed requests: each gets a Google-shaped 4xx (JSON, never HTML or a stack trace), and
 * the gateway keeps serving afterwards.
 */
import { connect } from 'node:net';
import { expectGoogleError, postJson, send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/gateway';

const GOOD = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
let gateway: TestGateway;
let generate: string;

beforeAll(async () => {
  gateway = await startTestGateway({ GATEWAY_MAX_BODY_BYTES: String(64 * 1024) });
  generate = `${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`;
});
afterAll(() => gateway.stop());
afterEach(async () => {
  // The gateway is still healthy and serving after every bad request.
  expect((await send(generate, { body: GOOD })).status).toBe(200);
});

/** Sends bytes exactly as given (no client-side URL normalisation) and returns the raw response text. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

test('malformed JSON → 400', async () => {
  expectGoogleError(await send(generate, { body: '{"contents": [', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_ARGUMENT');
});

test('a body that is not UTF-8 → 400, never forwarded with replacement characters', async () => {
  const latin1 = Buffer.concat([Buffer.from('{"contents":[{"parts":[{"text":"caf'), Buffer.from([0xe9]), Buffer.from('"}]}]}')]);
  const response = await send(generate, { body: latin1 });
  expectGoogleError(response, 400, 'INVALID_ARGUMENT');
  expect(response.json<{ error: { message: string } }>().error.message).toMatch(/not valid UTF-8/);
});

test('a JSON body that is not an object → 400', async () => {
  expectGoogleError(await send(generate, { body: '[1,2,3]' }), 400, 'INVALID_ARGUMENT');
});

test('no body → 400', async () => {
  expectGoogleError(await send(generate, { method: 'POST', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_ARGUMENT');
});

test('wrong content type → 415 INVALID_ARGUMENT', async () => {
  expectGoogleError(await send(generate, { body: GOOD, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'INVALID_ARGUMENT');
});

test('missing contents → 400 naming the field, as Google words it', async () => {
  const response = await postJson(generate, { generationConfig: {} });
  expectGoogleError(response, 400, 'INVALID_ARGUMENT');
  expect(response.json<{ error: { message: string } }>().error.message).toBe('* GenerateContentRequest.contents: contents is not specified');
});

test('wrong field types → 400 with a BadRequest field violation', async () => {
  const response = await postJson(generate, { contents: [{ parts: [{ text: 42 }] }] });
  expectGoogleError(response, 400, 'INVALID_ARGUMENT');
  expect(response.json()).toMatchObject({ error: { details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'contents[0].parts[0].text' }] }] } });
});

test('deeply nested JSON → 400, not a crash', async () => {
  const deep = '{"contents":[{"parts":[{"functionResponse":{"name":"f","response":' + '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_000) + '}}]}]}';
  const big = await startTestGateway({ GATEWAY_MAX_BODY_BYTES: String(8 * 1024 * 1024) });
  try {
    expectGoogleError(await send(`${big.url}/v1beta/models/gemini-3.5-flash:generateContent`, { body: deep }), 400, 'INVALID_ARGUMENT');
  } finally {
    await big.stop();
  }
});

test('oversized body → 413 in Google shape', async () => {
  const huge = JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(128 * 1024) }] }] });
  const response = await send(generate, { body: huge });
  expectGoogleError(response, 413, 'INVALID_ARGUMENT');
});

test('a body that claims gzip but is not → 400, not a 500', async () => {
  expectGoogleError(await send(generate, { body: GOOD, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }), 400, 'INVALID_ARGUMENT');
});

test('unknown model → 404 NOT_FOUND', async () => {
  expectGoogleError(await send(`${gateway.url}/v1beta/models/gemini-9-ultra:generateContent`, { body: GOOD }), 404, 'NOT_FOUND');
});

test('unknown method on a model → 404', async () => {
  expectGoogleError(await send(`${gateway.url}/v1beta/models/gemini-3.5-flash:explode`, { body: GOOD }), 404, 'NOT_FOUND');
});

test('unknown route and unknown API version → 404', async () => {
  expectGoogleError(await send(`${gateway.url}/v2/models/gemini-3.5-flash:generateContent`, { body: GOOD }), 404, 'NOT_FOUND');
  expectGoogleError(await send(`${gateway.url}/admin`), 404, 'NOT_FOUND');
});

test('GET on a POST method → 405 in Google shape', async () => {
  expectGoogleError(await send(generate), 405, 'INVALID_ARGUMENT');
});

test.each([
  '/v1beta/models/..%2F..%2Fetc%2Fpasswd:generateContent',
  '/v1beta/models/%2e%2e:generateContent',
  '/v1beta/models/gemini..flash:generateContent',
  '/v1beta/models/gemini%00:generateContent',
  '/v1beta/models/%F0%9F%92%A5:generateContent',
])('path traversal or odd bytes in the model id %s → 404', async (path) => {
  expectGoogleError(await send(`${gateway.url}${path}`, { body: GOOD }), 404, 'NOT_FOUND');
});

test('literal ../ segments sent raw never reach another resource', async () => {
  const port = new URL(gateway.url).port;
  const response = await rawHttp(Number(port), `POST /v1beta/models/../../../etc/passwd:generateContent HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${GOOD.length}\r\nConnection: close\r\n\r\n${GOOD}`);
  expect(response).toMatch(/^HTTP\/1\.1 404/);
  expect(response).toContain('"status":"NOT_FOUND"');
});

test('a huge header → 431 with a Google JSON body', async () => {
  const port = Number(new URL(gateway.url).port);
  const response = await rawHttp(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
  expect(response).toMatch(/^HTTP\/1\.1 431/);
  expect(response).toMatch(/content-type: application\/json/i);
  expect(response).toContain('"status":"INVALID_ARGUMENT"');
});

test('garbage instead of HTTP → 400 with a Google JSON body', async () => {
  const response = await rawHttp(Number(new URL(gateway.url).port), 'HELLO THERE\r\n\r\n');
  expect(response).toMatch(/^HTTP\/1\.1 400/);
  expect(response).toContain('"code":400');
});
