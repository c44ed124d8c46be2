/**
 * The real process: it starts on the embedded emulator and says so, and on SIGTERM it stops accepting,
 * lets an in-flight stream finish, and exits 0.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { send, sseEvents } from '../support/http';
import { startGatewayProcess } from '../support/process';

const BODY = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'a long story, slowly' }] }] });

test('start-up logs the URL and that answers come from the emulator', async () => {
  const gateway = await startGatewayProcess({ LOG_LEVEL: 'info' });
  try {
    expect(gateway.logs.map((l) => l.message).join('\n')).toMatch(/upstream: the embedded Gemini emulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(gateway.logs[0]).toMatchObject({ severity: 'INFO' });
    expect((await send(`${gateway.url}/readyz`)).status).toBe(200);
  } finally {
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }
});

test('SIGTERM while a stream is in flight: the stream finishes, new requests are refused, exit 0', async () => {
  const gateway = await startGatewayProcess({ EMULATOR_CHUNK_INTERVAL_MS: '150', GATEWAY_DRAIN_SECONDS: '20' });
  const url = `${gateway.url}/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse`;
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const reader = response.body[Symbol.asyncIterator]();
  const first = await reader.next(); // the stream is flowing
  gateway.child.kill('SIGTERM');

  let text = Buffer.from(first.value as Buffer).toString();
  for (let next = await reader.next(); !next.done; next = await reader.next()) text += Buffer.from(next.value as Buffer).toString();
  const events = sseEvents(text).map((e) => JSON.parse(e) as { candidates: Array<{ finishReason?: string }> });
  expect(events.length).toBeGreaterThan(2);
  expect(events.at(-1)?.candidates[0]?.finishReason).toBe('STOP');

  await expect(send(`${gateway.url}/healthz`)).rejects.toThrow();
  expect(await gateway.exited).toBe(0);
});

test('when the drain time is up, a stream still flowing ends with a 503 error event and a call still waiting gets a 503, never a cut connection', async () => {
  // Chunks every 400 ms: the stream outlasts a drain of 1 s; so do calls to two models that take 5 s to answer.
  const slow = ['gemini-3.8-flash', 'gemini-3.1-flash-lite'];
  const gateway = await startGatewayProcess({
    EMULATOR_CHUNK_INTERVAL_MS: '400',
    EMULATOR_FAULTS: JSON.stringify(slow.map((model) => ({ kind: 'latency', latencyMs: 5_000, model }))),
    GATEWAY_DRAIN_SECONDS: '1',
    LOG_LEVEL: 'info',
  });
  const [waiting, alsoWaiting] = slow.map((model) => request(`${gateway.url}/v1beta/models/${model}:generateContent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY }));
  const openai = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gemini-3.5-flash', stream: true, messages: [{ role: 'user', content: 'another long story, slowly' }] }),
  });
  const response = await request(`${gateway.url}/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
  const reader = response.body[Symbol.asyncIterator]();
  let text = Buffer.from((await reader.next()).value as Buffer).toString();
  gateway.child.kill('SIGTERM');
  for (let next = await reader.next(); !next.done; next = await reader.next()) text += Buffer.from(next.value as Buffer).toString();
  const events = sseEvents(text);
  expect(events.length).toBeGreaterThan(1);
  const shuttingDown = { error: { code: 503, message: 'This gateway instance is shutting down; retry the request.', status: 'UNAVAILABLE' } };
  expect(JSON.parse(events.at(-1)!)).toEqual(shuttingDown);
  // The OpenAI stream ends with OpenAI's error event and no [DONE].
  const openaiText = await openai.body.text();
  expect(openaiText).not.toContain('[DONE]');
  expect(JSON.parse(openaiText.trimEnd().split('\n\n').at(-1)!.replace(/^data: /, ''))).toMatchObject({ error: { message: shuttingDown.error.message } });
  for (const unary of [await waiting!, await alsoWaiting!]) {
    expect(unary.statusCode).toBe(503);
    expect(await unary.body.json()).toEqual(shuttingDown);
  }
  expect(await gateway.exited).toBe(0);
  // Each cut call is audited as failed with a 503 (not as its caller's cancellation), under its own model.
  type Audit = { modelRequested: string; modelUsed: string; fallbackFrom?: string; outcome: string; status: number; method: string; tokens: { output: number } };
  const audits = gateway.logs.flatMap((line) => (line.audit ? [line.audit as Audit] : []));
  expect(audits).toHaveLength(4);
  for (const audit of audits) {
    expect(audit).toMatchObject({ outcome: 'upstream_error', status: 503, modelUsed: audit.modelRequested });
    expect(audit.fallbackFrom).toBeUndefined();
  }
  expect(audits.map((a) => a.modelRequested).sort()).toEqual(['gemini-3.1-flash-lite', 'gemini-3.5-flash', 'gemini-3.5-flash', 'gemini-3.8-flash']);
  // A stream cut mid-answer is charged as one its caller left: Gemini bills what it generated, unknown here.
  for (const audit of audits.filter((a) => a.method === 'streamGenerateContent')) expect(audit.tokens.output).toBeGreaterThan(0);
});

test("OpenTelemetry's own failures reach the log: a metrics port already taken is an ERROR line, not silence", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const gateway = await startGatewayProcess({ LOG_LEVEL: 'info', GATEWAY_METRICS_PORT: String(port) });
    for (let i = 0; i < 100 && !gateway.logs.some((line) => String(line.message).includes('metrics listener failed')); i++) await sleep(20);
    expect(gateway.logs).toContainEqual(expect.objectContaining({ severity: 'ERROR', message: 'opentelemetry: gateway telemetry: the metrics listener failed to start', detail: expect.objectContaining({ message: expect.stringContaining('EADDRINUSE') }) }));
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  } finally {
    taken.close();
  }
});

test('a bad setting stops start-up with a message naming it', async () => {
  await expect(startGatewayProcess({ PORT: 'eighty' })).rejects.toThrow(/PORT: /);
});

test('a port in use or an address not on this machine stops start-up naming HOST and PORT, without a stack trace', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    await expect(startGatewayProcess({ PORT: String(port) })).rejects.toThrow(new RegExp(`HOST, PORT: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use\\n?$`));
  } finally {
    taken.close();
  }
  await expect(startGatewayProcess({ HOST: '192.0.2.1' })).rejects.toThrow(/HOST, PORT: cannot listen on 192\.0\.2\.1:0: no such address on this machine/);
});
