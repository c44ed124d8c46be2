import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { startPassthrough, type Passthrough } from './passthrough';

/** An upstream whose handler each test sets; it records what reached it. */
let handler: (req: IncomingMessage, res: ServerResponse) => void;
let upstream: Server;
let upstreamUrl: string;
let proxy: Passthrough;

beforeAll(async () => {
  upstream = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startPassthrough(upstreamUrl, { connections: 4, apiKey: 'upstream-key' });
});

afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

test('forwards method, path and body with its own key, and relays status, type, length and body', async () => {
  let seen: { method?: string; url?: string; key?: string | string[]; type?: string; body: string } = { body: '' };
  handler = (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen = { method: req.method, url: req.url, key: req.headers['x-goog-api-key'], type: req.headers['content-type'], body };
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '11', 'x-private': 'not relayed' }).end('{"ok":true}');
    });
  };
  const reply = await request(`${proxy.url}/v1beta/models/m:generateContent?alt=json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'caller-key' },
    body: '{"contents":[]}',
  });
  expect(await reply.body.text()).toBe('{"ok":true}');
  expect(reply.statusCode).toBe(201);
  expect(reply.headers).toMatchObject({ 'content-type': 'application/json', 'content-length': '11' });
  expect(reply.headers['x-private']).toBeUndefined();
  expect(seen).toEqual({ method: 'POST', url: '/v1beta/models/m:generateContent?alt=json', key: 'upstream-key', type: 'application/json', body: '{"contents":[]}' });
});

test('streams the answer as it arrives, and stops reading the upstream when the client leaves', async () => {
  let upstreamResponse: ServerResponse | undefined;
  handler = (_req, res) => {
    upstreamResponse = res;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    // Never ends on its own: only the proxy letting go closes it.
  };
  const reply = await request(`${proxy.url}/v1beta/models/m:streamGenerateContent?alt=sse`, { method: 'POST', body: '{}' });
  const chunks = reply.body[Symbol.asyncIterator]();
  // The first event reaches the client while the upstream's answer is still open.
  expect(String((await chunks.next()).value)).toBe('data: first\n\n');
  expect(upstreamResponse!.writableEnded).toBe(false);
  const upstreamClosed = once(upstreamResponse!, 'close');
  reply.body.destroy();
  await upstreamClosed;
  expect(upstreamResponse!.writableFinished).toBe(false);
});

test('a failure in the middle of the answer reaches the client as a broken response, not a clean end', async () => {
  handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n', () => setImmediate(() => res.destroy()));
  };
  const reply = await request(`${proxy.url}/v1beta/models/m:streamGenerateContent?alt=sse`, { method: 'POST', body: '{}' });
  await expect(reply.body.text()).rejects.toThrow();
});

test('an upstream that cannot be reached is a 502', async () => {
  const unreachable = await startPassthrough('http://127.0.0.1:1', { connections: 1, apiKey: 'k' });
  try {
    const reply = await request(`${unreachable.url}/v1beta/models`, { method: 'GET' });
    await reply.body.dump();
    expect(reply.statusCode).toBe(502);
  } finally {
    await unreachable.close();
  }
});
