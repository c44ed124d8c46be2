/**
 * Media named by URI is billed by its length, which only Gemini knows. The gateway has Gemini count such a
 * prompt (countTokens) before admitting it, so an hour of video meets the tpm limit and the budget at its
 * real size, not at the 258 tokens of an image. The emulator's files have the length their name gives
 * (`lecture-3600s.mp4`: an hour), billed as Gemini bills them (`emulator/media-tokens.ts`).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { GeminiEmulator } from '../../service/emulator/server';
import { VIDEO_TOKENS_PER_SECOND } from '../../service/emulator/media-tokens';
import { StaticApiKey } from '../../service/credentials/api-key-source';
import { sha256Hex } from '../../service/pipeline/authenticate';
import { createPromptCounter } from '../../service/pipeline/count-prompt';
import { NO_EVENTS } from '../../service/pipeline/events';
import { createTelemetry } from '../../service/telemetry/create';
import { parseGeminiPath, type ModelCallPath } from '../../service/protocol/paths';
import { AiStudioUpstream } from '../../service/upstream/ai-studio';
import { HttpTransport } from '../../service/upstream/http-transport';
import { startEmulator } from '../support/emulator';
import { capturingLogger, startKeyedGatewayOn, startTestGateway, type TestGateway } from '../support/gateway';
import { expectGoogleError, postJson } from '../support/http';

const TPM_KEY = 'team-tpm-secret-key';
const BUDGET_KEY = 'team-budget-secret-key';
let emulator: GeminiEmulator;
let upstreamUrl: string;
let gateway: TestGateway;
let logs: ReturnType<typeof capturingLogger>;
const generate = (): string => `${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`;
const stream = (): string => `${gateway.url}/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse`;

beforeAll(async () => {
  ({ emulator, url: upstreamUrl } = await startEmulator());
  logs = capturingLogger();
  gateway = await startKeyedGatewayOn(
    upstreamUrl,
    [
      { id: 'team-tpm', keySha256: [sha256Hex(TPM_KEY)], tpm: 200_000 },
      // gemini-3.5-flash input is $1.50 per million tokens: an hour of video ($1.42) is over, a minute ($0.02) well under.
      { id: 'team-budget', keySha256: [sha256Hex(BUDGET_KEY)], budget: { usd: 0.5, period: 'day' } },
    ],
    {},
    { logger: logs.logger },
  );
});
afterAll(async () => {
  await gateway.stop();
  await emulator.close();
});
beforeEach(() => {
  emulator.faults.clear();
  emulator.recent.length = 0;
  logs.lines.length = 0;
});

const video = (uri: string) => ({
  contents: [{ role: 'user', parts: [{ text: 'Summarise this lecture.' }, { fileData: { mimeType: 'video/mp4', fileUri: uri } }] }],
  generationConfig: { maxOutputTokens: 256 },
});
const upstreamMethods = (): Array<string | undefined> => emulator.recent.map((r) => r.method);
const audits = (): Array<{ tokens: { input: number }; outcome: string }> => logs.lines.filter((l) => l.audit).map((l) => l.audit as { tokens: { input: number }; outcome: string });

test('an hour of video meets the tpm limit at its real size: counted first, then refused, never generated', async () => {
  const response = await postJson(generate(), video('gs://lectures/lecture-3600s.mp4'), { 'x-goog-api-key': TPM_KEY });
  expectGoogleError(response, 400, 'INVALID_ARGUMENT');
  expect(response.json<{ error: { message: string } }>().error.message).toMatch(/needs about 94\d\d\d\d tokens, more than the limit of 200000 per minute/);
  expect(upstreamMethods()).toEqual(['countTokens']);
});

test('an hour of video meets the budget at its real size; a minute of it is served and accounted at its real size', async () => {
  const hour = await postJson(generate(), video('gs://lectures/keynote-3600s.mp4'), { 'x-goog-api-key': BUDGET_KEY });
  expectGoogleError(hour, 429, 'RESOURCE_EXHAUSTED');
  expect(hour.json()).toMatchObject({ error: { details: [{ reason: 'BUDGET' }, expect.anything()] } });

  const minute = await postJson(stream(), video('gs://lectures/teaser-60s.mp4'), { 'x-goog-api-key': BUDGET_KEY });
  expect(minute.status).toBe(200);
  expect(upstreamMethods()).toEqual(['countTokens', 'countTokens', 'streamGenerateContent']);
  expect(audits()).toEqual([expect.objectContaining({ outcome: 'success', tokens: expect.objectContaining({ input: expect.any(Number) }) })]);
  expect(audits()[0]!.tokens.input).toBeGreaterThanOrEqual(60 * VIDEO_TOKENS_PER_SECOND);
});

test('a prompt counted is not counted again for a while: the retry of a refused request asks Gemini nothing', async () => {
  for (let i = 0; i < 3; i++) expectGoogleError(await postJson(generate(), video('gs://lectures/seminar-3600s.mp4'), { 'x-goog-api-key': TPM_KEY }), 400, 'INVALID_ARGUMENT');
  expect(upstreamMethods()).toEqual(['countTokens']);
});

test('a prompt without media by URI is not counted: one upstream call', async () => {
  const inline = { contents: [{ role: 'user', parts: [{ text: 'Just text.' }] }], generationConfig: { maxOutputTokens: 16 } };
  expect((await postJson(generate(), inline, { 'x-goog-api-key': TPM_KEY })).status).toBe(200);
  expect(upstreamMethods()).toEqual(['generateContent']);
});

test('a count that fails leaves the estimate: the call is served, and accounted with the real usage', async () => {
  emulator.faults.set([{ kind: 'status', status: 503, method: 'countTokens' }]);
  const response = await postJson(generate(), video('gs://lectures/outro-60s.mp4'), { 'x-goog-api-key': TPM_KEY });
  expect(response.status).toBe(200);
  // Every model of the route was asked to count (the model asked for, then its fallbacks), then one generated.
  expect(upstreamMethods().at(-1)).toBe('generateContent');
  expect(new Set(upstreamMethods().slice(0, -1))).toEqual(new Set(['countTokens']));
  expect(audits()[0]!.tokens.input).toBeGreaterThanOrEqual(60 * VIDEO_TOKENS_PER_SECOND);
});

test('a count Gemini refuses with a 429 neither slows down nor diverts the calls that generate', async () => {
  emulator.faults.set([{ kind: 'status', status: 429, method: 'countTokens', retryDelaySeconds: 30 }]);
  const withVideo = await postJson(generate(), video('gs://lectures/recap-60s.mp4'), { 'x-goog-api-key': TPM_KEY });
  expect(withVideo.status).toBe(200);
  expect(withVideo.headers['x-gemini-model-used']).toBe('gemini-3.5-flash');
  const plain = await postJson(generate(), { contents: [{ role: 'user', parts: [{ text: 'And now?' }] }], generationConfig: { maxOutputTokens: 16 } }, { 'x-goog-api-key': TPM_KEY });
  expect(plain.status).toBe(200);
  expect(plain.headers['x-gemini-model-used']).toBe('gemini-3.5-flash');
});

test('a rule for short prompts routes by the counted size: an hour of video stays on the model asked for', async () => {
  const routed = await startTestGateway({
    GEMINI_API_KEY: 'k',
    GOOGLE_GEMINI_BASE_URL: upstreamUrl,
    GATEWAY_CACHE_TTL_SECONDS: '0',
    GATEWAY_MODELS: JSON.stringify({ rules: [{ maxInputTokens: 100_000, routeTo: 'gemini-3.5-flash-lite' }] }),
  });
  try {
    const short = await postJson(`${routed.url}/v1beta/models/gemini-3.5-flash:generateContent`, video('gs://lectures/intro-60s.mp4'));
    expect(short.headers['x-gemini-model-used']).toBe('gemini-3.5-flash-lite');
    const long = await postJson(`${routed.url}/v1beta/models/gemini-3.5-flash:generateContent`, video('gs://lectures/lecture-3600s.mp4'));
    expect(long.status).toBe(200);
    expect(long.headers['x-gemini-model-used']).toBe('gemini-3.5-flash');
  } finally {
    await routed.stop();
  }
});

test("a count that outlasts its deadline is reported as the upstream's timeout, not as its caller leaving, in the metrics and in its span", async () => {
  emulator.faults.set([{ kind: 'timeout', method: 'countTokens' }]);
  const attempts: Array<{ model: string; errorType?: string }> = [];
  const transport = new HttpTransport({ timeoutMs: 60_000, idleTimeoutMs: 60_000, connections: 4 });
  const upstream = new AiStudioUpstream(upstreamUrl, new StaticApiKey('k'), transport);
  const spans = new InMemorySpanExporter();
  const telemetry = createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'test', tracesExporter: 'memory', sampleRatio: 1, spanExporter: spans });
  try {
    const events = { ...NO_EVENTS, upstreamAttempt: (a: { model: string; errorType?: string }) => void attempts.push({ model: a.model, errorType: a.errorType }) };
    const count = createPromptCounter({ 'ai-studio': upstream }, events, telemetry.tracing, 400);
    const route = { requestedModel: 'gemini-3.5-flash', model: 'gemini-3.5-flash', backend: 'ai-studio' as const, fallbacks: [] };
    const path = parseGeminiPath('/v1beta/models/gemini-3.5-flash:generateContent') as ModelCallPath;
    expect(await count(path, video('gs://lectures/intro-60s.mp4'), route, new AbortController().signal)).toBeUndefined();
    expect(attempts).toEqual([{ model: 'gemini-3.5-flash', errorType: 'timeout' }]);
    await telemetry.flushSpans();
    expect(spans.getFinishedSpans().map((span) => [span.name, span.kind, span.attributes['error.type'], span.status.code])).toEqual([
      ['count_tokens gemini-3.5-flash', SpanKind.CLIENT, 'timeout', SpanStatusCode.ERROR],
    ]);
  } finally {
    await telemetry.shutdown();
    await upstream.close();
  }
});
