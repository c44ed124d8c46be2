/**
 * Model calls are served without Express (`service/api/gemini-routes.ts`, the model-call lane). What Express
 * used to do for them must still happen: compressed bodies inflated, the absolute request form a proxy
 * sends routed, credentials read from the header, `?key=` or `Authorization: Bearer`, and the steps every
 * request passes (access line, metrics) unchanged for the routes Express still serves.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createTelemetry } from '../../service/telemetry/create';
import { capturingLogger, startTestGateway, type TestGateway } from '../support/gateway';
import { send } from '../support/http';

const KEY = 'lane-team-key';
const BODY = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
const CALL = '/v1beta/models/gemini-3.5-flash:generateContent';
const logs = capturingLogger('debug');
let gateway: TestGateway;

beforeAll(async () => {
  const caller = { id: 'lane-team', keySha256: [createHash('sha256').update(KEY).digest('hex')] };
  const telemetry = createTelemetry({ serviceName: 'lane-test', serviceVersion: 'test', tracesExporter: 'none', sampleRatio: 0 });
  gateway = await startTestGateway({ GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([caller]) }, { logger: logs.logger, telemetry });
});
afterAll(() => gateway.stop());

test('a gzip-compressed body is inflated and answered', async () => {
  const response = await send(`${gateway.url}${CALL}`, { body: gzipSync(BODY), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-goog-api-key': KEY } });
  expect(response.status).toBe(200);
  expect(response.json()).toHaveProperty('candidates');
});

test('the key may come as ?key= or as a bearer token, on every API version', async () => {
  expect((await send(`${gateway.url}${CALL}?key=${KEY}`, { body: BODY })).status).toBe(200);
  const bearer = await send(`${gateway.url}/v1/models/gemini-3.5-flash:generateContent`, { body: BODY, headers: { authorization: `Bearer ${KEY}` } });
  expect(bearer.status).toBe(200);
  expect(bearer.json()).toHaveProperty('candidates');
  const anonymous = await send(`${gateway.url}${CALL}`, { body: BODY });
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers['content-type']).toBe('application/json; charset=UTF-8');
});

test('the absolute request form a forward proxy sends is routed by its path', async () => {
  const port = new URL(gateway.url).port;
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.end(
        `POST http://127.0.0.1:${port}${CALL} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nx-goog-api-key: ${KEY}\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\nConnection: close\r\n\r\n${BODY}`,
      ),
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  expect(reply.startsWith('HTTP/1.1 200')).toBe(true);
  expect(reply).toContain('"candidates"');
});

test('model calls, their errors and the routes Express serves get the same access line, response size included; scrapes and probes only at debug', async () => {
  logs.lines.length = 0;
  await send(`${gateway.url}${CALL}?key=${KEY}`, { body: BODY });
  await send(`${gateway.url}/v1beta/models?key=${KEY}`);
  await send(`${gateway.url}${CALL}`, { body: BODY });
  await send(`${gateway.url}/metrics`);
  await send(`${gateway.url}/healthz`);
  await new Promise((resolve) => setImmediate(resolve));
  const access = logs.lines.filter((l) => l.httpRequest).map((l) => ({ severity: l.severity, ...(l.httpRequest as { requestUrl: string; status: number }) }));
  const size = expect.stringMatching(/^[1-9][0-9]*$/);
  expect(access).toEqual([
    expect.objectContaining({ severity: 'INFO', requestUrl: CALL, status: 200, responseSize: size }),
    expect.objectContaining({ severity: 'INFO', requestUrl: '/v1beta/models', status: 200, responseSize: size }),
    expect.objectContaining({ severity: 'INFO', requestUrl: CALL, status: 401, responseSize: size }),
    expect.objectContaining({ severity: 'DEBUG', requestUrl: '/metrics', status: 200 }),
    expect.objectContaining({ severity: 'DEBUG', requestUrl: '/healthz', status: 200 }),
  ]);
  const metrics = await send(`${gateway.url}/metrics`);
  expect(metrics.text).toMatch(/http_server_request_duration_count\{[^}]*http_route="\/v1beta\/models\/\{model\}:generateContent"[^}]*\} [1-9]/);
});
