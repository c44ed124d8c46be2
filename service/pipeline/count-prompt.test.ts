import { Readable } from 'node:stream';
import { GoogleApiError } from '../protocol/errors';
import { parseGeminiPath, type ModelCallPath } from '../protocol/paths';
import type { BackendKind, Upstream, UpstreamCall, UpstreamReply } from '../upstream/types';
import { createPromptCounter, needsCount } from './count-prompt';
import { NO_EVENTS, NO_TRACING } from './events';
import type { RouteDecision } from './route';

const route: RouteDecision = { requestedModel: 'gemini-3.5-flash', model: 'gemini-3.5-flash', backend: 'ai-studio', fallbacks: [{ model: 'gemini-3.5-flash-lite', backend: 'ai-studio' }] };
const video = { fileData: { mimeType: 'video/mp4', fileUri: 'gs://b/v.mp4' } };
const body = { contents: [{ role: 'user', parts: [{ text: 'What happens?' }, video] }], systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 5 } };
const pathOf = (url: string): ModelCallPath => parseGeminiPath(url) as ModelCallPath;
const GEMINI_PATH = pathOf('/v1beta/models/gemini-3.5-flash:generateContent');

/** An answer per model: a status and body, or `undefined` to never answer (until its deadline, or its caller leaves). */
type Answers = Record<string, { status: number; body: string } | undefined>;

/** An upstream that records what it was asked and answers each model as `answers` says. */
function upstream(answers: Answers, backend: BackendKind = 'ai-studio'): Upstream & { asked: UpstreamCall[] } {
  const asked: UpstreamCall[] = [];
  const reply = (status: number, text: string): UpstreamReply => ({
    status,
    contentType: 'application/json',
    retryAfter: undefined,
    body: Readable.from([Buffer.from(text)]),
    discard: () => undefined,
  });
  return {
    backend,
    asked,
    credentialId: () => 'test',
    call: (call: UpstreamCall) => {
      asked.push(call);
      const answer = answers[call.model];
      if (answer) return Promise.resolve(reply(answer.status, answer.body));
      // As the transport does: its own deadline, or the caller's signal.
      return new Promise((_, reject) => {
        const timer = setTimeout(() => reject(new GoogleApiError(504, 'deadline')), call.timeoutMs);
        call.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new GoogleApiError(499, 'aborted'));
        });
      });
    },
  } as unknown as Upstream & { asked: UpstreamCall[] };
}

test('a generating request naming media by URI needs a count; images, inline media, embeddings and counts do not', () => {
  expect(needsCount('generateContent', body)).toBe(true);
  expect(needsCount('streamGenerateContent', { contents: [{ parts: [{ text: 'a' }] }], systemInstruction: { parts: [video] } })).toBe(true);
  expect(needsCount('generateContent', { contents: [{ parts: [{ fileData: { fileUri: 'files/abc' } }] }] })).toBe(true);
  expect(needsCount('generateContent', { contents: [{ parts: [{ inlineData: { mimeType: 'image/png', data: 'AA==' } }] }] })).toBe(false);
  // An image is 258 tokens whatever its size: the estimate knows it.
  expect(needsCount('generateContent', { contents: [{ parts: [{ fileData: { mimeType: 'image/jpeg', fileUri: 'gs://b/photo.jpg' } }] }] })).toBe(false);
  expect(needsCount('countTokens', body)).toBe(false);
  expect(needsCount('embedContent', { content: { parts: [video] } })).toBe(false);
});

test("Gemini's count from the routed model, asked once, in the caller's dialect, with what reaches the model and sizes its media", async () => {
  const gemini = upstream({ 'gemini-3.5-flash': { status: 200, body: '{"totalTokens":15790}' } });
  expect(await createPromptCounter({ 'ai-studio': gemini }, NO_EVENTS)(GEMINI_PATH, body, route, new AbortController().signal)).toBe(15_790);
  expect(gemini.asked).toHaveLength(1);
  expect(gemini.asked[0]).toMatchObject({ method: 'countTokens', dialect: 'ai-studio', model: 'gemini-3.5-flash' });
  expect(JSON.parse(Buffer.from(gemini.asked[0]!.body).toString())).toEqual({
    generateContentRequest: { model: 'models/gemini-3.5-flash', contents: body.contents, systemInstruction: body.systemInstruction, generationConfig: body.generationConfig },
  });

  const vertex = upstream({ 'gemini-3.5-flash': { status: 200, body: '{"totalTokens":15790,"totalBillableCharacters":20}' } });
  const vertexPath = pathOf('/v1/projects/p/locations/us-central1/publishers/google/models/gemini-3.5-flash:generateContent');
  expect(await createPromptCounter({ 'ai-studio': vertex }, NO_EVENTS)(vertexPath, body, route, new AbortController().signal)).toBe(15_790);
  expect(JSON.parse(Buffer.from(vertex.asked[0]!.body).toString())).toEqual({ contents: body.contents, systemInstruction: body.systemInstruction, generationConfig: body.generationConfig });
});

test('a model that cannot count (an error, a useless answer, no answer in time) passes the count to the next of the route', async () => {
  for (const failing of [{ status: 503, body: '{"error":{"code":503}}' }, { status: 200, body: 'not json' }, undefined]) {
    const up = upstream({ 'gemini-3.5-flash': failing, 'gemini-3.5-flash-lite': { status: 200, body: '{"totalTokens":900}' } });
    expect(await createPromptCounter({ 'ai-studio': up }, NO_EVENTS, NO_TRACING, 40)(GEMINI_PATH, body, route, new AbortController().signal)).toBe(900);
    expect(up.asked.map((call) => call.model)).toEqual(['gemini-3.5-flash', 'gemini-3.5-flash-lite']);
  }
});

test('no model of the route can count, or none in time: undefined, and the estimate stands', async () => {
  const down = upstream({ 'gemini-3.5-flash': { status: 503, body: '{}' }, 'gemini-3.5-flash-lite': { status: 500, body: '{}' } });
  expect(await createPromptCounter({ 'ai-studio': down }, NO_EVENTS)(GEMINI_PATH, body, route, new AbortController().signal)).toBeUndefined();
  const silent = upstream({});
  expect(await createPromptCounter({ 'ai-studio': silent }, NO_EVENTS, NO_TRACING, 40)(GEMINI_PATH, body, route, new AbortController().signal)).toBeUndefined();
});

test('a caller who leaves during the count cancels the request', async () => {
  const left = new AbortController();
  const counting = createPromptCounter({ 'ai-studio': upstream({}) }, NO_EVENTS)(GEMINI_PATH, body, route, left.signal);
  left.abort();
  await expect(counting).rejects.toMatchObject({ httpStatus: 499 });
});
