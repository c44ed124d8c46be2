/**
 * The emulator is every test's upstream, so its protocol must be right: paths of both dialects, SSE framing
 * exactly as Google sends it, usage that adds up, Google error bodies, and faults that fire as configured.
 */
import { FaultBook, parseFaults } from '../../service/emulator/faults';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { expectGoogleError, postJson, send, sseEvents } from '../support/http';

const BODY = { contents: [{ role: 'user', parts: [{ text: 'Why is the sky blue?' }] }] };
let emulator: GeminiEmulator;
let url: string;

beforeAll(async () => ({ emulator, url } = await startEmulator({ admin: true, apiKeys: ['good-key'] })));
afterAll(() => emulator.close());
beforeEach(() => emulator.faults.clear());

const KEY = { 'x-goog-api-key': 'good-key' };
interface Usage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  thoughtsTokenCount?: number;
}

test('unary answer: role, finish reason, usage that adds up, modelVersion and responseId', async () => {
  const response = await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, BODY, KEY);
  expect(response.status).toBe(200);
  const body = response.json<{ candidates: Array<{ content: { role: string }; finishReason: string }>; usageMetadata: Usage; modelVersion: string; responseId: string }>();
  expect(body.candidates[0]).toMatchObject({ content: { role: 'model' }, finishReason: 'STOP' });
  const u = body.usageMetadata;
  expect(u.totalTokenCount).toBe(u.promptTokenCount + u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0));
  expect(body.modelVersion).toBe('gemini-2.5-flash');
  expect(body.responseId).toMatch(/^[\w-]{16}$/);
});

test('answers are deterministic for the same prompt', async () => {
  const a = await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, BODY, KEY);
  const b = await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, BODY, KEY);
  expect(a.json<{ candidates: unknown }>().candidates).toEqual(b.json<{ candidates: unknown }>().candidates);
});

test('SSE: exactly `data: <one-line JSON>\\n\\n` per event, finish and full usage only on the last', async () => {
  const response = await postJson(`${url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, BODY, KEY);
  expect(response.headers['content-type']).toBe('text/event-stream');
  const events = sseEvents(response.text).map((e) => JSON.parse(e) as { candidates: Array<{ finishReason?: string }>; usageMetadata: Usage });
  expect(events.length).toBeGreaterThan(1);
  expect(events.slice(0, -1).every((e) => e.candidates[0]?.finishReason === undefined && e.usageMetadata.candidatesTokenCount === undefined)).toBe(true);
  expect(events.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
  expect(events.at(-1)?.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
});

test('SSE is asked for by `$alt=sse` too, the system parameter\'s other spelling', async () => {
  const response = await postJson(`${url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?%24alt=sse`, BODY, KEY);
  expect(response.headers['content-type']).toBe('text/event-stream');
  expect(sseEvents(response.text).length).toBeGreaterThan(1);
});

test('usage counts the prompt by modality, as Google reports it', async () => {
  const audio = Buffer.alloc(40_000, 1).toString('base64');
  const body = { contents: [{ role: 'user', parts: [{ text: 'Transcribe this' }, { inlineData: { mimeType: 'audio/wav', data: audio } }] }] };
  const usage = (await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, body, KEY)).json<{ usageMetadata: Usage & { promptTokensDetails: unknown } }>().usageMetadata;
  expect(usage.promptTokensDetails).toEqual([
    { modality: 'TEXT', tokenCount: 4 },
    { modality: 'AUDIO', tokenCount: usage.promptTokenCount - 4 },
  ]);
});

test('media by URI is billed by the length its name gives, alike by countTokens and in the usage', async () => {
  const body = {
    contents: [
      {
        role: 'user',
        parts: [
          { text: 'Compare' },
          { fileData: { mimeType: 'video/mp4', fileUri: 'gs://b/talk-90s.mp4' } },
          { fileData: { mimeType: 'audio/mpeg', fileUri: 'files/podcast-600s' } },
          { fileData: { mimeType: 'application/pdf', fileUri: 'gs://b/report-3p.pdf' } },
          { fileData: { mimeType: 'video/mp4', fileUri: 'https://www.youtube.com/watch?v=abc' } },
        ],
      },
    ],
  };
  const usage = (await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, body, KEY)).json<{ usageMetadata: Usage & { promptTokensDetails: unknown } }>().usageMetadata;
  expect(usage.promptTokensDetails).toEqual([
    { modality: 'TEXT', tokenCount: 2 },
    // 90 s and, without a length in its name, 60 s of video at 263 tokens a second.
    { modality: 'VIDEO', tokenCount: 263 * 150 },
    { modality: 'AUDIO', tokenCount: 32 * 600 },
    { modality: 'DOCUMENT', tokenCount: 258 * 3 },
  ]);
  const counted = await postJson(`${url}/v1beta/models/gemini-2.5-flash:countTokens`, body, KEY);
  expect(counted.json<{ totalTokens: number }>().totalTokens).toBe(usage.promptTokenCount);
});

test('thought parts only with includeThoughts; thinkingBudget 0 means no thinking', async () => {
  const endpoint = `${url}/v1beta/models/gemini-2.5-flash:generateContent`;
  const withThoughts = await postJson(endpoint, { ...BODY, generationConfig: { thinkingConfig: { includeThoughts: true } } }, KEY);
  expect(withThoughts.json<{ candidates: Array<{ content: { parts: Array<{ thought?: boolean }> } }> }>().candidates[0]?.content.parts[0]?.thought).toBe(true);
  const noThinking = await postJson(endpoint, { ...BODY, generationConfig: { thinkingConfig: { thinkingBudget: 0 } } }, KEY);
  expect(noThinking.json<{ usageMetadata: Usage }>().usageMetadata.thoughtsTokenCount).toBeUndefined();
});

test('maxOutputTokens cuts the answer with MAX_TOKENS', async () => {
  const response = await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, { ...BODY, generationConfig: { maxOutputTokens: 3 } }, KEY);
  const body = response.json<{ candidates: Array<{ finishReason: string }>; usageMetadata: Usage }>();
  expect(body.candidates[0]?.finishReason).toBe('MAX_TOKENS');
  expect(body.usageMetadata.candidatesTokenCount).toBeLessThanOrEqual(3);
});

interface Answered {
  candidates: Array<{ index: number; finishReason?: string; content: { parts: Array<{ text?: string }> } }>;
  usageMetadata: Usage;
}
const textOf = (answer: Answered, index: number): string => answer.candidates.find((c) => c.index === index)?.content.parts.map((p) => p.text ?? '').join('') ?? '';

test('candidateCount: as many candidates, each its own text; the first is the one-candidate answer; usage sums their output', async () => {
  const endpoint = `${url}/v1beta/models/gemini-2.5-flash-lite:generateContent`;
  const one = (await postJson(endpoint, BODY, KEY)).json<Answered>();
  const three = (await postJson(endpoint, { ...BODY, generationConfig: { candidateCount: 3 } }, KEY)).json<Answered>();
  expect(three.candidates.map((c) => [c.index, c.finishReason])).toEqual([
    [0, 'STOP'],
    [1, 'STOP'],
    [2, 'STOP'],
  ]);
  expect(textOf(three, 0)).toBe(textOf(one, 0));
  expect(new Set([0, 1, 2].map((i) => textOf(three, i))).size).toBe(3);
  expect(three.usageMetadata.promptTokenCount).toBe(one.usageMetadata.promptTokenCount);
  expect(three.usageMetadata.candidatesTokenCount).toBeGreaterThan(one.usageMetadata.candidatesTokenCount);

  // Streamed side by side, each candidate's finish reason with its last part (candidates of different
  // lengths finish in different events); the full usage in the last event only.
  const streamed = sseEvents((await postJson(`${url}/v1beta/models/gemini-2.5-flash-lite:streamGenerateContent?alt=sse`, { ...BODY, generationConfig: { candidateCount: 3 } }, KEY)).text).map((e) => JSON.parse(e) as Answered);
  for (const index of [0, 1, 2]) {
    const own = streamed.flatMap((e) => e.candidates).filter((c) => c.index === index);
    expect(own.map((c) => c.content.parts.map((p) => p.text).join('')).join('')).toBe(textOf(three, index));
    expect(own.map((c) => c.finishReason)).toEqual([...Array<undefined>(own.length - 1).fill(undefined), 'STOP']);
  }
  expect(streamed.slice(0, -1).every((e) => e.usageMetadata.candidatesTokenCount === undefined)).toBe(true);
  expect(streamed.at(-1)?.usageMetadata).toEqual(three.usageMetadata);

  for (const candidateCount of [9, 0, 2.5, '2']) {
    const refused = await postJson(endpoint, { ...BODY, generationConfig: { candidateCount } }, KEY);
    expectGoogleError(refused, 400, 'INVALID_ARGUMENT');
    expect(refused.text).toContain('candidateCount must be an integer between 1 and 8');
  }
});

test('stopSequences: the answer ends before the first stop sequence it reaches, which is left out, with STOP', async () => {
  const endpoint = `${url}/v1beta/models/gemini-2.5-flash-lite:generateContent`;
  const prompt = { contents: [{ role: 'user', parts: [{ text: 'Count: one two three four' }] }] };
  const whole = textOf((await postJson(endpoint, prompt, KEY)).json<Answered>(), 0);
  expect(whole).toContain('Count: one two three four');
  const stopped = (await postJson(endpoint, { ...prompt, generationConfig: { stopSequences: ['four', 'three'] } }, KEY)).json<Answered>();
  expect(textOf(stopped, 0)).toBe(whole.slice(0, whole.indexOf('three')));
  expect(stopped.candidates[0]?.finishReason).toBe('STOP');
  // A stop sequence the answer never reaches changes nothing.
  expect(textOf((await postJson(endpoint, { ...prompt, generationConfig: { stopSequences: ['zebra'] } }, KEY)).json<Answered>(), 0)).toBe(whole);
  for (const stopSequences of ['three', { a: 1 }, 5, [1], ['a', 'b', 'c', 'd', 'e', 'f']]) {
    const refused = await postJson(endpoint, { ...prompt, generationConfig: { stopSequences } }, KEY);
    expectGoogleError(refused, 400, 'INVALID_ARGUMENT');
    expect(refused.text).toContain('stopSequences must be a list of at most 5 strings');
  }
});

test('JSON mode follows responseSchema in either casing', async () => {
  const schema = { type: 'OBJECT', properties: { answer: { type: 'STRING' }, score: { type: 'integer' } } };
  const response = await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, { ...BODY, generationConfig: { responseMimeType: 'application/json', responseSchema: schema } }, KEY);
  const text = response.json<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>().candidates[0]?.content.parts[0]?.text ?? '';
  expect(JSON.parse(text)).toEqual({ answer: expect.any(String), score: expect.any(Number) });
});

test('Vertex paths: project form, no-project form, endpoints, createTime, countTokens billable characters', async () => {
  const vertex = `${url}/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash`;
  const answer = await postJson(`${vertex}:generateContent`, BODY, { authorization: 'Bearer t' });
  expect(answer.json<{ createTime: string }>().createTime).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect((await postJson(`${url}/v1beta1/publishers/google/models/gemini-2.5-flash:generateContent`, BODY, KEY)).status).toBe(200);
  expect((await postJson(`${url}/v1/projects/p/locations/l/endpoints/1234:generateContent`, BODY, { authorization: 'Bearer t' })).status).toBe(200);
  const counted = await postJson(`${vertex}:countTokens`, BODY, { authorization: 'Bearer t' });
  expect(counted.json()).toMatchObject({ totalTokens: 5, totalBillableCharacters: 16 });
  const list = await send(`${url}/v1beta1/publishers/google/models`, { headers: { authorization: 'Bearer t' } });
  expect(list.json<{ publisherModels: unknown[] }>().publisherModels.length).toBeGreaterThan(0);
});

test('embeddings: embedContent, batchEmbedContents, Vertex predict', async () => {
  const one = await postJson(`${url}/v1beta/models/text-embedding-004:embedContent`, { content: { parts: [{ text: 'a' }] }, outputDimensionality: 4 }, KEY);
  expect(one.json<{ embedding: { values: number[] } }>().embedding.values).toHaveLength(4);
  const batch = await postJson(`${url}/v1beta/models/text-embedding-004:batchEmbedContents`, { requests: [{ content: { parts: [{ text: 'a' }] } }] }, KEY);
  expect(batch.json<{ embeddings: unknown[] }>().embeddings).toHaveLength(1);
  const predict = await postJson(`${url}/v1beta1/projects/p/locations/l/publishers/google/models/gemini-embedding-001:predict`, { instances: [{ content: 'a' }] }, { authorization: 'Bearer t' });
  expect(predict.json()).toMatchObject({ predictions: [{ embeddings: { values: expect.any(Array) } }] });
});

test('models list pages with nextPageToken; a shut-down model is 404', async () => {
  const first = (await send(`${url}/v1beta/models?pageSize=3`, { headers: KEY })).json<{ models: unknown[]; nextPageToken: string }>();
  expect(first.models).toHaveLength(3);
  const second = (await send(`${url}/v1beta/models?pageSize=3&pageToken=${first.nextPageToken}`, { headers: KEY })).json<{ models: Array<{ name: string }> }>();
  expect(second.models[0]?.name).not.toBe((first.models[0] as { name: string }).name);
  expectGoogleError(await postJson(`${url}/v1beta/models/gemini-3-pro-preview:generateContent`, BODY, KEY), 404, 'NOT_FOUND');
});

test('keys: a wrong key gets API_KEY_INVALID; none gets 403', async () => {
  const wrong = await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, BODY, { 'x-goog-api-key': 'bad' });
  expectGoogleError(wrong, 400, 'INVALID_ARGUMENT');
  expect(wrong.json()).toMatchObject({ error: { details: [{ reason: 'API_KEY_INVALID' }] } });
  expectGoogleError(await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, BODY), 403, 'PERMISSION_DENIED');
});

test('injected 429 carries QuotaFailure and RetryInfo; count limits how often a fault fires', async () => {
  emulator.faults.set([{ kind: 'status', status: 429, retryDelaySeconds: 2.5, probability: 1, count: 1 }]);
  const endpoint = `${url}/v1beta/models/gemini-2.5-flash:generateContent`;
  const limited = await postJson(endpoint, BODY, KEY);
  expectGoogleError(limited, 429, 'RESOURCE_EXHAUSTED');
  expect(limited.json()).toMatchObject({
    error: { details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.500s' }] },
  });
  expect((await postJson(endpoint, BODY, KEY)).status).toBe(200);
});

test('faults can target one model', async () => {
  emulator.faults.set([{ kind: 'status', status: 503, model: 'gemini-3.1-pro-preview', probability: 1 }]);
  expectGoogleError(await postJson(`${url}/v1beta/models/gemini-3.1-pro-preview:generateContent`, BODY, KEY), 503, 'UNAVAILABLE');
  expect((await postJson(`${url}/v1beta/models/gemini-3.5-flash:generateContent`, BODY, KEY)).status).toBe(200);
});

test('mid-stream error: the chunks, then a data: {"error":…} event, then the end', async () => {
  emulator.faults.set([{ kind: 'midstream-error', status: 500, afterChunks: 2, probability: 1 }]);
  const events = sseEvents((await postJson(`${url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, BODY, KEY)).text);
  expect(events).toHaveLength(3);
  expect(JSON.parse(events[2]!)).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
});

test('admin endpoint sets faults and timing at run time, loopback only, and validates rules', async () => {
  const admin = `${url}/_emulator`;
  expect((await send(`${admin}/faults`, { method: 'PUT', body: JSON.stringify([{ kind: 'status', status: 503, count: 1 }]) })).status).toBe(200);
  expectGoogleError(await postJson(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, BODY, KEY), 503);
  expectGoogleError(await send(`${admin}/faults`, { method: 'PUT', body: JSON.stringify([{ kind: 'explode' }]) }), 400);
  expect((await send(`${admin}/timing`, { method: 'PUT', body: JSON.stringify({ chunkIntervalMs: 0 }) })).json()).toMatchObject({ timing: { chunkIntervalMs: 0 } });
  expect((await send(`${admin}/stats`)).json()).toMatchObject({ requestCount: expect.any(Number) });
});

test('admin endpoints are off unless enabled', async () => {
  const { emulator: closed, url: closedUrl } = await startEmulator();
  try {
    expectGoogleError(await send(`${closedUrl}/_emulator/faults`), 404);
  } finally {
    await closed.close();
  }
});

describe('fault rules', () => {
  test('EMULATOR_FAULTS is parsed and validated with a clear message', () => {
    expect(parseFaults('[{"kind":"status","status":429,"count":2}]')).toEqual([{ kind: 'status', status: 429, count: 2, probability: 1 }]);
    expect(() => parseFaults('[{"kind":"status","bogus":1}]')).toThrow(/EMULATOR_FAULTS/);
    expect(() => parseFaults('not json')).toThrow(/not valid JSON/);
  });

  test('probability uses the injected randomness', () => {
    const draws = [0.1, 0.9];
    const book = new FaultBook(() => draws.shift() ?? 0);
    book.set([{ kind: 'reset', probability: 0.5 }]);
    expect(book.pick('m', 'generateContent')?.kind).toBe('reset');
    expect(book.pick('m', 'generateContent')).toBeUndefined();
  });
});
