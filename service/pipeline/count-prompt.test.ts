import { GoogleApiError } from '../protocol/errors';
import { parseGeminiPath, type ModelCallPath } from '../protocol/paths';
import type { CallRequest, CallResult, UpstreamCaller } from './call';
import { countPrompt, needsCount } from './count-prompt';
import type { RouteDecision } from './route';

const route: RouteDecision = { requestedModel: 'gemini-3.5-flash', model: 'gemini-3.5-flash', backend: 'ai-studio', fallbacks: [{ model: 'gemini-3.5-flash-lite', backend: 'ai-studio' }] };
const video = { fileData: { mimeType: 'video/mp4', fileUri: 'gs://b/v.mp4' } };
const body = { contents: [{ role: 'user', parts: [{ text: 'What happens?' }, video] }], systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 5 } };
const pathOf = (url: string): ModelCallPath => parseGeminiPath(url) as ModelCallPath;

/** An upstream caller that records what it was asked and answers `answer` (`undefined`: never, until its signal aborts). */
function upstream(answer?: string): { caller: UpstreamCaller; asked: CallRequest[] } {
  const asked: CallRequest[] = [];
  const caller: UpstreamCaller = (request: CallRequest): Promise<CallResult> => {
    asked.push(request);
    if (answer === undefined) return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new GoogleApiError(499, 'aborted'))));
    return Promise.resolve({ answer: { kind: 'unary', body: Buffer.from(answer) }, model: request.route.model, backend: 'ai-studio', retries: 0 });
  };
  return { caller, asked };
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

test("Gemini's count on the routed model alone, asked in the caller's dialect with what reaches the model", async () => {
  const gemini = upstream('{"totalTokens":15790}');
  expect(await countPrompt(gemini.caller, pathOf('/v1beta/models/gemini-3.5-flash:generateContent'), body, route, new AbortController().signal)).toBe(15_790);
  expect(gemini.asked).toHaveLength(1);
  expect(gemini.asked[0]).toMatchObject({ method: 'countTokens', dialect: 'ai-studio', route: { model: 'gemini-3.5-flash', fallbacks: [] } });
  expect(JSON.parse(Buffer.from(gemini.asked[0]!.bodyFor('gemini-3.5-flash')).toString())).toEqual({
    generateContentRequest: { model: 'models/gemini-3.5-flash', contents: body.contents, systemInstruction: body.systemInstruction },
  });

  const vertex = upstream('{"totalTokens":15790,"totalBillableCharacters":20}');
  const vertexPath = pathOf('/v1/projects/p/locations/us-central1/publishers/google/models/gemini-3.5-flash:generateContent');
  expect(await countPrompt(vertex.caller, vertexPath, body, route, new AbortController().signal)).toBe(15_790);
  expect(JSON.parse(Buffer.from(vertex.asked[0]!.bodyFor('gemini-3.5-flash')).toString())).toEqual({ contents: body.contents, systemInstruction: body.systemInstruction });
});

test('no usable count, a count past its deadline: undefined, the estimate stands', async () => {
  const path = pathOf('/v1beta/models/gemini-3.5-flash:generateContent');
  expect(await countPrompt(upstream('{"error":"?"}').caller, path, body, route, new AbortController().signal)).toBeUndefined();
  expect(await countPrompt(upstream('not json').caller, path, body, route, new AbortController().signal)).toBeUndefined();
  expect(await countPrompt(upstream().caller, path, body, route, new AbortController().signal, 20)).toBeUndefined();
});

test('a caller who leaves during the count cancels the request', async () => {
  const left = new AbortController();
  const counting = countPrompt(upstream().caller, pathOf('/v1beta/models/gemini-3.5-flash:generateContent'), body, route, left.signal);
  left.abort();
  await expect(counting).rejects.toMatchObject({ httpStatus: 499 });
});
