/**
 * What goes on the wire for a body: a unary call's bytes as undici writes bytes, a streamed call's handed
 * over once (see `handedOverOnce`). Either way the upstream must see one request with a declared length,
 * never a chunked one, and exactly the bytes given, and a retry sends them again in full.
 */
import { createServer, type Server } from 'node:net';
import { HttpTransport } from './http-transport';

interface Received {
  head: string;
  body: string;
}

let server: Server;
let url: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = text.slice(0, end);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? NaN);
      const body = text.slice(end + 4);
      if (!(body.length >= length)) return;
      received.push({ head, body });
      text = '';
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: 2\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1beta/models/m:streamGenerateContent`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

test.each([
  ['a unary call', false],
  ['a streamed call', true],
])('%s sends its body with its length, not chunked, and sends it whole again when asked twice', async (_label, streamed) => {
  const transport = new HttpTransport({ timeoutMs: 5_000, idleTimeoutMs: 5_000, connections: 2 });
  received.length = 0;
  const body = Buffer.from(JSON.stringify({ contents: [{ parts: [{ text: 'é'.repeat(40_000) }] }] }));
  for (let attempt = 0; attempt < 2; attempt++) {
    const reply = await transport.send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, streamed, signal: new AbortController().signal });
    let answer = '';
    for await (const chunk of reply.body) answer += Buffer.from(chunk).toString();
    expect(answer).toBe('ok');
  }
  await transport.close();
  expect(received).toHaveLength(2);
  for (const { head, body: sent } of received) {
    expect(head).toMatch(new RegExp(`\\r\\ncontent-length: ${body.length}(\\r\\n|$)`, 'i'));
    expect(head.match(/content-length/gi)).toHaveLength(1);
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(Buffer.from(sent, 'latin1').equals(body)).toBe(true);
  }
});
