/**
 * A caller that gives up (`abortSignal` in `@google/genai`, or a dropped connection) cancels the upstream
 * call once no request waits on it any more, cached path included, and is charged as budgets require: the
 * prompt and all the output it was allowed, since how much Gemini generated is unknown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { sha256Hex } from '../../service/pipeline/authenticate';
import { capturingLogger, startTestGateway, type TestGateway } from '../support/gateway';

const KEY = 'team-a-secret-key';
const MODEL = 'gemini-3.5-flash';
const MAX_OUTPUT_TOKENS = 500;

let gateway: TestGateway;
let ai: GoogleGenAI;
const logs = capturingLogger();

beforeAll(async () => {
  gateway = await startTestGateway(
    { GATEWAY_AUTH_MODE: 'keys', GATEWAY_CALLERS: JSON.stringify([{ id: 'team-a', keySha256: [sha256Hex(KEY)], budget: { usd: 100, period: 'day' } }]) },
    { logger: logs.logger },
  );
  ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: gateway.url } });
});
afterAll(() => gateway.stop());
beforeEach(() => {
  gateway.emulator?.faults.clear();
  gateway.emulator?.resetStats();
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await sleep(20);
  expect(condition()).toBe(true);
}

const upstreamCalls = (): number => gateway.emulator?.recent.length ?? 0;
const abandoned = (): number => gateway.emulator?.abandonedCount ?? 0;
/** The audit records written since `from` (a count of log lines). */
const auditsSince = (from: number): Array<Record<string, unknown>> => logs.lines.slice(from).flatMap((l) => (l.audit ? [l.audit as Record<string, unknown>] : []));

test('a unary call the caller aborts is cancelled upstream (cache on) and charged its prompt and allowed output', async () => {
  gateway.emulator?.faults.set([{ kind: 'latency', latencyMs: 5_000 }]);
  const text = 'A slow answer nobody waits for';
  const from = logs.lines.length;
  const controller = new AbortController();
  const answer = ai.models.generateContent({ model: MODEL, contents: text, config: { abortSignal: controller.signal, maxOutputTokens: MAX_OUTPUT_TOKENS } });
  await until(() => upstreamCalls() === 1);
  controller.abort();
  await expect(answer).rejects.toThrow();
  await until(() => abandoned() === 1);
  await until(() => auditsSince(from).length === 1);
  const [audit] = auditsSince(from);
  expect(audit).toMatchObject({ outcome: 'cancelled', cache: 'miss', status: 499, tokens: { output: MAX_OUTPUT_TOKENS } });
  expect((audit?.tokens as { input: number }).input).toBeGreaterThan(0);
  expect(audit?.costUsd).toBeGreaterThan(0);
});

test('a caller that leaves while the gateway waits to retry is charged nothing: the failed attempt is not billed', async () => {
  // A 429 whose RetryInfo the gateway must honour: the wait before the retry is 3 s at least. Another model
  // than the other tests', since the gateway also holds admission for it back that long.
  const model = 'gemini-3.8-flash';
  gateway.emulator?.faults.set([{ kind: 'status', status: 429, retryDelaySeconds: 3, model }]);
  const from = logs.lines.length;
  const controller = new AbortController();
  const answer = ai.models.generateContent({ model, contents: 'Leaving during the backoff', config: { abortSignal: controller.signal, maxOutputTokens: MAX_OUTPUT_TOKENS } });
  await until(() => upstreamCalls() === 1);
  await sleep(100); // the first attempt has failed; the gateway now waits the 3 s Gemini asked for
  controller.abort();
  await expect(answer).rejects.toThrow();
  await until(() => auditsSince(from).length === 1);
  expect(auditsSince(from)[0]).toMatchObject({ outcome: 'cancelled', status: 499, costUsd: 0, tokens: { input: 0, output: 0 } });
  expect(upstreamCalls()).toBe(1);
});

/**
 * Two identical requests through one upstream call (300 ms to answer); the first leaves 50 ms after the
 * second joined. Returns the second's answer text, once the first has failed.
 */
async function leaveWhileAnotherWaits<T>(text: string, ask: (signal: AbortSignal) => Promise<T>, textOf: (answer: T) => Promise<string>): Promise<string> {
  gateway.emulator?.faults.set([{ kind: 'latency', latencyMs: 300 }]);
  const controller = new AbortController();
  const leaving = ask(controller.signal);
  await until(() => upstreamCalls() === 1);
  // The same config, so the same cache key: the SDK sends an empty generationConfig when config is given.
  const staying = ask(new AbortController().signal);
  await sleep(50);
  controller.abort();
  await expect(leaving).rejects.toThrow();
  return textOf(await staying);
}

test('a shared unary call goes on while another request still waits on it', async () => {
  const text = 'Two callers, one of whom leaves';
  const answer = await leaveWhileAnotherWaits(
    text,
    (abortSignal) => ai.models.generateContent({ model: MODEL, contents: text, config: { abortSignal } }),
    (response) => Promise.resolve(response.text ?? ''),
  );
  expect(answer).toContain(text);
  expect(upstreamCalls()).toBe(1);
  expect(abandoned()).toBe(0);
});

test('a stream the caller leaves after its first chunk is cancelled upstream, and charged the counted prompt and allowed output', async () => {
  gateway.emulator?.faults.set([{ kind: 'stall', afterChunks: 1 }]);
  const text = 'A stream read only in part';
  const from = logs.lines.length;
  const controller = new AbortController();
  const stream = await ai.models.generateContentStream({ model: MODEL, contents: text, config: { abortSignal: controller.signal, maxOutputTokens: MAX_OUTPUT_TOKENS } });
  const first = (await stream.next()).value as GenerateContentResponse;
  expect(first.text).toBeTruthy();
  const promptTokens = first.usageMetadata?.promptTokenCount;
  controller.abort();
  await until(() => abandoned() === 1);
  await until(() => auditsSince(from).length === 1);
  expect(auditsSince(from)[0]).toMatchObject({ outcome: 'cancelled', status: 499, tokens: { input: promptTokens, output: MAX_OUTPUT_TOKENS } });
});

test('a stream the caller leaves before its first chunk is cancelled upstream at once (cache on), not at its first event', async () => {
  // Gemini takes 8 s to start: the caller gives up long before.
  gateway.emulator?.faults.set([{ kind: 'latency', latencyMs: 8_000 }]);
  const from = logs.lines.length;
  const controller = new AbortController();
  const stream = ai.models.generateContentStream({ model: MODEL, contents: 'A stream nobody waits to start', config: { abortSignal: controller.signal, maxOutputTokens: MAX_OUTPUT_TOKENS } });
  await until(() => upstreamCalls() === 1);
  controller.abort();
  await expect(stream).rejects.toThrow();
  await until(() => abandoned() === 1);
  await until(() => auditsSince(from).length === 1);
  expect(auditsSince(from)[0]).toMatchObject({ outcome: 'cancelled', status: 499, cache: 'miss' });
  // Neither retried nor sent down the fallback chain once the caller had left.
  expect(upstreamCalls()).toBe(1);
});

test('a shared stream goes on when the request that started it leaves before its first chunk', async () => {
  const text = 'Two streams, one of whom leaves early';
  const answer = await leaveWhileAnotherWaits(
    text,
    (abortSignal) => ai.models.generateContentStream({ model: MODEL, contents: text, config: { abortSignal } }),
    async (stream) => {
      let whole = '';
      for await (const chunk of stream) whole += chunk.text ?? '';
      return whole;
    },
  );
  expect(answer).toContain(text);
  expect(upstreamCalls()).toBe(1);
  expect(abandoned()).toBe(0);
});
