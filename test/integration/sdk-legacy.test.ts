/**
 * `@google/generative-ai` (the legacy SDK many teams still run) → gateway → emulator.
 */
import { GoogleGenerativeAI, GoogleGenerativeAIFetchError, type GenerativeModel } from '@google/generative-ai';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MODEL = 'gemini-3.5-flash';

let gateway: TestGateway;
let model: GenerativeModel;

beforeAll(async () => {
  // One attempt per model: these tests check how each upstream error surfaces, not the retry policy.
  gateway = await startTestGateway({ GATEWAY_RETRY_MAX_ATTEMPTS: '1' });
  // A trailing slash makes the legacy SDK request `//v1beta/...`: the gateway must still route it.
  model = new GoogleGenerativeAI('team-key').getGenerativeModel(
    { model: MODEL, systemInstruction: 'Be brief.', generationConfig: { temperature: 0.2 } },
    { baseUrl: `${gateway.url}/` },
  );
});
afterAll(() => gateway.stop());
beforeEach(() => {
  gateway.emulator?.faults.clear();
  gateway.emulator?.resetStats();
});

test('generateContent', async () => {
  const result = await model.generateContent('Why is the sky blue?');
  expect(result.response.text()).toContain('Why is the sky blue?');
  expect(result.response.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
  expect(gateway.emulator?.recent.at(-1)).toMatchObject({ path: `/v1beta/models/${MODEL}:generateContent`, auth: 'api-key-header' });
});

test('generateContentStream: every chunk, then the aggregated response', async () => {
  const unary = await model.generateContent('Stream me');
  const result = await model.generateContentStream('Stream me');
  const texts: string[] = [];
  for await (const chunk of result.stream) texts.push(chunk.text());
  const aggregated = await result.response;
  expect(texts.length).toBeGreaterThan(1);
  expect(texts.join('')).toBe(unary.response.text());
  expect(aggregated.candidates?.[0]?.finishReason).toBe('STOP');
  expect(aggregated.usageMetadata?.candidatesTokenCount).toBe(unary.response.usageMetadata?.candidatesTokenCount);
});

test('countTokens with the generateContentRequest wrapper', async () => {
  const counted = await model.countTokens('abcdefgh');
  // 8 characters of prompt plus the 9-character system instruction.
  expect(counted.totalTokens).toBe(2 + 3);
});

test('embedContent and batchEmbedContents', async () => {
  const embedder = new GoogleGenerativeAI('team-key').getGenerativeModel({ model: 'text-embedding-004' }, { baseUrl: gateway.url });
  const single = await embedder.embedContent('hello');
  expect(single.embedding.values).toHaveLength(768);
  const batch = await embedder.batchEmbedContents({
    requests: [
      { content: { role: 'user', parts: [{ text: 'a' }] } },
      { content: { role: 'user', parts: [{ text: 'b' }] } },
    ],
  });
  expect(batch.embeddings).toHaveLength(2);
  expect(batch.embeddings[0]?.values).toHaveLength(768);
  expect(batch.embeddings[0]?.values).not.toEqual(batch.embeddings[1]?.values);
});

test('chat: history goes with every turn', async () => {
  const chat = model.startChat();
  await chat.sendMessage('first');
  const second = await chat.sendMessage('second');
  expect(second.response.text()).toContain('first');
  expect(await chat.getHistory()).toHaveLength(4);
});

// A 429 throttles its model gateway-wide for the RetryInfo delay, so it gets a model of its own here.
test.each([
  [429, 'gemini-3.1-flash-lite'],
  [500, MODEL],
  [503, MODEL],
])('upstream %i → GoogleGenerativeAIFetchError with status and details', async (status, modelId) => {
  gateway.emulator?.faults.set([{ kind: 'status', status, retryDelaySeconds: 3, probability: 1 }]);
  const client = new GoogleGenerativeAI('team-key').getGenerativeModel({ model: modelId }, { baseUrl: gateway.url });
  const error = await client.generateContent('x').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError);
  expect((error as GoogleGenerativeAIFetchError).status).toBe(status);
  if (status === 429) {
    expect((error as GoogleGenerativeAIFetchError).errorDetails).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '3s' });
  }
});

test('an error as the first stream event answered nothing: the fallback answers instead of an empty 200', async () => {
  gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, model: MODEL, afterChunks: 0, probability: 1 }]);
  const result = await model.generateContentStream('An answer from whichever model can');
  const response = await result.response;
  expect(response.text()).toMatch(/^Gemini 3\.5 Flash-Lite \(emulated\) on "An answer from whichever model can"/);
  expect(gateway.emulator?.recent.map((r) => r.path)).toEqual([
    `/v1beta/models/${MODEL}:streamGenerateContent`,
    '/v1beta/models/gemini-3.5-flash-lite:streamGenerateContent',
  ]);
});

test('an error as the first stream event of every model is the error status it names, not a 200 without candidates', async () => {
  gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 0, probability: 1 }]);
  const error = await model.generateContentStream('An answer no model can give').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GoogleGenerativeAIFetchError);
  expect(error).toMatchObject({ status: 503, statusText: 'Service Unavailable' });
});

test.each([
  ['generateContent', async (text: string) => (await model.generateContent(text)).response.text()],
  ['generateContentStream', async (text: string) => (await (await model.generateContentStream(text)).response).text()],
])("%s: a fallback's answer is not cached, so the model asked for answers the same request once it recovers", async (method, ask) => {
  const text = `Cached only from the model asked for (${method})`;
  gateway.emulator?.faults.set([{ kind: 'status', status: 503, model: MODEL, probability: 1 }]);
  expect(await ask(text)).toMatch(/^Gemini 3\.5 Flash-Lite \(emulated\)/);
  gateway.emulator?.faults.clear();
  const recovered = await ask(text);
  expect(recovered).toMatch(/^Gemini 3\.5 Flash \(emulated\)/);
  const calls = gateway.emulator?.recent.length;
  expect(await ask(text)).toBe(recovered);
  expect(gateway.emulator?.recent.length).toBe(calls);
});

test('a mid-stream error arrives as the terminal event (the legacy SDK yields it as a chunk)', async () => {
  gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 2, probability: 1 }]);
  const result = await model.generateContentStream('A long answer please');
  const chunks: unknown[] = [];
  for await (const chunk of result.stream) chunks.push(chunk);
  await result.response.catch(() => undefined);
  expect(chunks).toHaveLength(3);
  expect(chunks.at(-1)).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
});
