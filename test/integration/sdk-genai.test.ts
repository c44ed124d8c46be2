/**
 * `@google/genai` (the current official SDK) → gateway → emulator, changing nothing but the base URL.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MODEL = 'gemini-3.5-flash';
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

let gateway: TestGateway;
let ai: GoogleGenAI;

beforeAll(async () => {
  // One attempt per model: these tests check how each upstream error surfaces, not the retry policy.
  gateway = await startTestGateway({ GATEWAY_RETRY_MAX_ATTEMPTS: '1' });
  ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
});
afterAll(() => gateway.stop());
beforeEach(() => {
  gateway.emulator?.faults.clear();
  gateway.emulator?.resetStats();
});

describe('Gemini API mode', () => {
  test('generateContent returns text, finish reason and usage', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'Why is the sky blue?' });
    expect(response.text).toContain('Why is the sky blue?');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.modelVersion).toBe(MODEL);
    const usage = response.usageMetadata!;
    expect(usage.totalTokenCount).toBe(usage.promptTokenCount! + usage.candidatesTokenCount! + (usage.thoughtsTokenCount ?? 0));
    // @google/genai 3.x talks to /v1/, and the key reaches the upstream only as a header.
    expect(gateway.emulator?.recent.at(-1)).toMatchObject({ path: `/v1/models/${MODEL}:generateContent`, auth: 'api-key-header' });
  });

  test('streaming delivers every chunk in order, usage on the last', async () => {
    const unary = await ai.models.generateContent({ model: MODEL, contents: 'Tell me a story' });
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'Tell me a story' })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text).join('')).toBe(unary.text);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(unary.usageMetadata?.candidatesTokenCount);
  });

  test('system instruction, thinking and thought parts pass through', async () => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: 'Plan a trip',
      config: { systemInstruction: 'Be brief.', thinkingConfig: { includeThoughts: true, thinkingBudget: 32 } },
    });
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]?.thought).toBe(true);
    expect(response.usageMetadata?.thoughtsTokenCount).toBeGreaterThan(0);
    expect(response.usageMetadata?.thoughtsTokenCount).toBeLessThanOrEqual(32);
  });

  test('countTokens', async () => {
    const counted = await ai.models.countTokens({ model: MODEL, contents: 'abcdefgh' });
    expect(counted.totalTokens).toBe(2);
  });

  test('embeddings (the SDK uses batchEmbedContents)', async () => {
    const result = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['first', 'second'], config: { outputDimensionality: 8 } });
    expect(result.embeddings).toHaveLength(2);
    expect(result.embeddings?.[0]?.values).toHaveLength(8);
    expect(result.embeddings?.[0]?.values).not.toEqual(result.embeddings?.[1]?.values);
  });

  test('models list pages through every model, and get returns one', async () => {
    const names: string[] = [];
    for await (const model of await ai.models.list({ config: { pageSize: 5 } })) names.push(model.name ?? '');
    expect(names).toContain('models/gemini-3.8-flash');
    expect(names.length).toBeGreaterThan(5);
    const model = await ai.models.get({ model: 'gemini-3.5-flash-lite' });
    expect(model.displayName).toBe('Gemini 3.5 Flash-Lite');
  });

  test('multimodal inlineData reaches the model intact', async () => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: [{ role: 'user', parts: [{ text: 'Describe this' }, { inlineData: { mimeType: 'image/png', data: PNG_1x1 } }] }],
    });
    expect(response.text).toContain(`image/png ${Buffer.from(PNG_1x1, 'base64').length} bytes`);
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThanOrEqual(258);
  });

  test('function calling returns a call with schema-shaped args', async () => {
    const response = await ai.models.generateContent({
      model: MODEL,
      contents: 'Weather in Paris?',
      config: {
        tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }] }],
      },
    });
    expect(response.functionCalls?.[0]?.name).toBe('get_weather');
    expect(typeof response.functionCalls?.[0]?.args?.city).toBe('string');
  });
});

describe('Vertex AI mode (auth client injected, as without ADC)', () => {
  test('generate, stream and countTokens on the Vertex paths with a bearer token', async () => {
    const vertex = new GoogleGenAI({
      vertexai: true,
      project: 'my-project',
      location: 'us-central1',
      googleAuthOptions: { authClient: fakeAuthClient() },
      httpOptions: { baseUrl: gateway.url },
    });
    const response = await vertex.models.generateContent({ model: MODEL, contents: 'Hello Vertex' });
    expect(response.text).toContain('Hello Vertex');
    const chunks = [];
    for await (const chunk of await vertex.models.generateContentStream({ model: MODEL, contents: 'Hello Vertex' })) chunks.push(chunk);
    expect(chunks.map((c) => c.text).join('')).toBe(response.text);
    expect((await vertex.models.countTokens({ model: MODEL, contents: 'abcd' })).totalTokens).toBe(1);
  });
});

describe('errors surface as the SDK raises them for the real API', () => {
  // A 429 throttles its model gateway-wide for the RetryInfo delay, so it gets a model of its own here.
  test.each([
    [429, 'RESOURCE_EXHAUSTED', 'gemini-3.1-flash-lite'],
    [500, 'INTERNAL', MODEL],
    [503, 'UNAVAILABLE', MODEL],
  ])('upstream %i → ApiError with status and Google body', async (status, canonical, model) => {
    gateway.emulator?.faults.set([{ kind: 'status', status, retryDelaySeconds: 7, probability: 1 }]);
    const error = await ai.models.generateContent({ model, contents: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(status);
    const body = JSON.parse((error as ApiError).message) as { error: { status: string; details?: Array<Record<string, unknown>> } };
    expect(body.error.status).toBe(canonical);
    if (status === 429) expect(body.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
  });

  test('a stream rejected up front throws from generateContentStream', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 503, probability: 1 }]);
    await expect(ai.models.generateContentStream({ model: MODEL, contents: 'x' })).rejects.toMatchObject({ status: 503 });
  });

  /** Reads a stream to its end: the chunks' texts, and how the read ended (undefined: whole). */
  async function readStream(contents: string): Promise<{ texts: string[]; failure: unknown }> {
    const texts: string[] = [];
    try {
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents })) texts.push(chunk.text ?? '');
      return { texts, failure: undefined };
    } catch (failure) {
      return { texts, failure };
    }
  }

  test('a mid-stream upstream error reaches the client as a terminal error event', async () => {
    gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 1, probability: 1 }]);
    const { texts, failure } = await readStream('A long answer please');
    expect(failure).toMatchObject({ status: 503 });
    expect(texts).toHaveLength(1);
  });

  test('a stream the upstream ends in mid-answer rejects, never passes for a whole answer', async () => {
    gateway.emulator?.faults.set([{ kind: 'truncate', afterChunks: 2, probability: 1 }]);
    const { texts, failure } = await readStream('An essay cut short');
    expect(failure).toMatchObject({ status: 502 });
    expect(texts).toHaveLength(2);
  });

  test("models.get on an alias answers for the model it stands for (its token limits included)", async () => {
    const fast = await ai.models.get({ model: 'fast' });
    const direct = await ai.models.get({ model: 'gemini-3.5-flash-lite' });
    expect(fast).toEqual(direct);
    expect(fast.name).toBe('models/gemini-3.5-flash-lite');
    expect(fast.inputTokenLimit).toBeGreaterThan(0);
  });

  test('an unknown model is a 404 from upstream, passed through', async () => {
    await expect(ai.models.generateContent({ model: 'gemini-0-nonexistent', contents: 'x' })).rejects.toMatchObject({ status: 404 });
  });
});
