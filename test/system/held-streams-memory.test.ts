/**
 * A stream in progress holds no copy of its prompt. Once the upstream has started answering, nothing needs
 * the request any more: retries and fallbacks happen before the first event, the audit record needs only
 * the token counts, and the cache keeps the answer, not the question. A gateway that kept each stream's
 * request until its end would hold, at 1,000 streams of 100 KB prompts (a retrieval context, an inline
 * image), 100 MB or more for nothing, for as long as the answers take.
 *
 * The compiled gateway runs as a real process, in front of an emulator (in this test's own process) that
 * sends each stream's first chunk and then stalls with the connection open. With 8 Gemini streams and 8
 * OpenAI chat streams of 512 KB prompts open, the gateway's JS heap and Buffer memory after a full GC
 * (`support/gc-on-signal.js`) may each exceed the baseline by a quarter of one copy of those prompts (2 MB):
 * what a stream's own state costs (tens of KB), far below a copy of its prompt.
 */
import { request, type Dispatcher } from 'undici';
import type { GatewayProcess } from '../support/process';
import { startEmulator } from '../support/emulator';
import type { GeminiEmulator } from '../../service/emulator/server';
import { GC_HOOK_NODE_OPTIONS, heapAfterGc, startGatewayProcesses, stopGatewayProcess, type HeapInUse } from './support/processes';

jest.setTimeout(90_000);

/** Streams on this model send one chunk, then stall. */
const STALL_MODEL = 'gemini-3.1-flash-lite';
/** Streams on this one are answered whole (the warm-up). */
const OK_MODEL = 'gemini-3.5-flash-lite';
const PROMPT_BYTES = 512 * 1024;
const STREAMS_PER_API = 8;
const HELD_PROMPT_BYTES = 2 * STREAMS_PER_API * PROMPT_BYTES;
const SLACK_BYTES = HELD_PROMPT_BYTES / 4;

let emulator: GeminiEmulator | undefined;
let gateway: GatewayProcess | undefined;
let prompts = 0;

/** A prompt of PROMPT_BYTES that no other request shares (no coalescing, no cache hit). */
function uniquePrompt(): string {
  const head = `prompt ${++prompts} ${Date.now()}: `;
  return head + 'the quick brown fox jumps over the lazy dog; '.repeat(PROMPT_BYTES / 45).slice(0, PROMPT_BYTES - head.length);
}

function geminiStream(model: string): Dispatcher.RequestOptions & { origin: string } {
  return {
    origin: gateway!.url,
    method: 'POST',
    path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: uniquePrompt() }] }] }),
  };
}

function openAIStream(model: string): Dispatcher.RequestOptions & { origin: string } {
  return {
    origin: gateway!.url,
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: 'Bearer local' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: uniquePrompt() }] }),
  };
}

/** Sends a streamed request and resolves once its first event has arrived, with the answer still open. */
async function openStream(options: Dispatcher.RequestOptions & { origin: string }): Promise<Dispatcher.ResponseData['body']> {
  const { statusCode, body } = await request(options.origin, options);
  const chunks = body[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (statusCode !== 200 || first.done) throw new Error(`the stream did not start: ${statusCode} ${first.done ? '' : String(first.value)}`);
  return body;
}

async function completeStream(options: Dispatcher.RequestOptions & { origin: string }): Promise<void> {
  const { statusCode, body } = await request(options.origin, options);
  const text = await body.text();
  if (statusCode !== 200 || text.includes('"error"')) throw new Error(`the warm-up stream failed: ${statusCode} ${text.slice(0, 200)}`);
}

beforeAll(async () => {
  const started = await startEmulator({ faults: [{ kind: 'stall', model: STALL_MODEL, method: 'streamGenerateContent', afterChunks: 1, probability: 1 }] });
  emulator = started.emulator;
  [gateway] = await startGatewayProcesses([
    {
      GATEWAY_UPSTREAM: 'ai-studio',
      GEMINI_API_KEY: 'held-streams-test-key',
      GOOGLE_GEMINI_BASE_URL: started.url,
      GATEWAY_AUTH_MODE: 'open',
      GATEWAY_DRAIN_SECONDS: '0',
      NODE_OPTIONS: GC_HOOK_NODE_OPTIONS,
    },
  ]);
});

afterAll(async () => {
  await stopGatewayProcess(gateway);
  await emulator?.close();
});

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

test(`${2 * STREAMS_PER_API} streams of ${PROMPT_BYTES / 1024} KB prompts in progress hold no copy of their prompts`, async () => {
  // The same paths once, to their end, so what they build once (compiled code, pools) is in the baseline;
  // and one stream of each kind on the stalling model, let go, for what is made once per model (its
  // breaker, its metric series).
  for (let i = 0; i < 3; i++) await Promise.all([completeStream(geminiStream(OK_MODEL)), completeStream(openAIStream(OK_MODEL))]);
  for (const body of await Promise.all([openStream(geminiStream(STALL_MODEL)), openStream(openAIStream(STALL_MODEL))])) body.destroy();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const baseline = await heapAfterGc(gateway!);

  const open = await Promise.all([
    ...Array.from({ length: STREAMS_PER_API }, () => openStream(geminiStream(STALL_MODEL))),
    ...Array.from({ length: STREAMS_PER_API }, () => openStream(openAIStream(STALL_MODEL))),
  ]);
  const held = await heapAfterGc(gateway!);
  for (const body of open) body.destroy();

  const growth = (field: keyof HeapInUse): string => mb(held[field] - baseline[field]);
  const within = (field: keyof HeapInUse): boolean => held[field] - baseline[field] <= SLACK_BYTES;
  expect({ heapUsed: growth('heapUsed'), arrayBuffers: growth('arrayBuffers'), bound: mb(SLACK_BYTES), within: within('heapUsed') && within('arrayBuffers') }).toEqual({
    heapUsed: growth('heapUsed'),
    arrayBuffers: growth('arrayBuffers'),
    bound: mb(SLACK_BYTES),
    within: true,
  });
});
