/**
 * Embeddings across the dialects. Through a gateway whose upstream is Vertex AI, app teams call in the
 * Gemini API dialect (`@google/genai`, `@google/generative-ai`, the OpenAI SDK): Vertex has no
 * `batchEmbedContents`, so the gateway translates to `predict` or Vertex's `embedContent` and answers in
 * the Gemini API's shape. Through a gateway whose upstream is AI Studio, an SDK in Vertex mode calls
 * `predict` and Vertex's `embedContent`, which the Gemini API lacks, and is answered in Vertex's shape. The
 * vectors must be the ones the upstream computes for the same text, whichever dialect carried them.
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import OpenAI from 'openai';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postJson } from '../support/http';

// @google/genai calls v1 (Vertex v1); @google/generative-ai calls v1beta (Vertex v1beta1).
const V1 = '/v1/projects/prod-project/locations/us-central1/publishers/google/models';
const V1BETA1 = '/v1beta1/projects/prod-project/locations/us-central1/publishers/google/models';

let emulator: GeminiEmulator;
let upstreamUrl: string;
let gateway: TestGateway;
let ai: GoogleGenAI;

beforeAll(async () => {
  ({ emulator, url: upstreamUrl } = await startEmulator());
  gateway = await startTestGateway(
    { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_CLOUD_LOCATION: 'us-central1', GOOGLE_VERTEX_BASE_URL: upstreamUrl, GATEWAY_RETRY_MAX_ATTEMPTS: '1' },
    { vertexAuthClient: fakeAuthClient() },
  );
  ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
});
afterAll(async () => {
  await gateway.stop();
  await emulator.close();
});
beforeEach(() => {
  emulator.resetStats();
  emulator.faults.clear();
});

/** What the upstream computes for these texts, asked directly in the Gemini API dialect. */
async function expectedVectors(model: string, texts: string[], outputDimensionality?: number): Promise<number[][]> {
  const response = await postJson(`${upstreamUrl}/v1beta/models/${model}:batchEmbedContents`, { requests: texts.map((text) => ({ content: { parts: [{ text }] }, outputDimensionality })) });
  return response.json<{ embeddings: Array<{ values: number[] }> }>().embeddings.map((e) => e.values);
}

test('@google/genai, gemini-embedding-001: one predict per text (Vertex takes one per request), the same vectors', async () => {
  const result = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['first', 'second'], config: { outputDimensionality: 8, taskType: 'RETRIEVAL_DOCUMENT' } });
  expect(emulator.recent.map((r) => [r.path, r.auth])).toEqual([
    [`${V1}/gemini-embedding-001:predict`, 'bearer'],
    [`${V1}/gemini-embedding-001:predict`, 'bearer'],
  ]);
  expect(result.embeddings?.map((e) => e.values)).toEqual(await expectedVectors('gemini-embedding-001', ['first', 'second'], 8));
});

test('@google/generative-ai, text-embedding-004: embedContent and a batch in one predict', async () => {
  const embedder = new GoogleGenerativeAI('team-key').getGenerativeModel({ model: 'text-embedding-004' }, { baseUrl: gateway.url });
  const single = await embedder.embedContent('hello');
  const batch = await embedder.batchEmbedContents({ requests: ['a', 'b', 'c'].map((t) => ({ content: { role: 'user', parts: [{ text: t }] } })) });
  expect(emulator.recent.map((r) => r.path)).toEqual([`${V1BETA1}/text-embedding-004:predict`, `${V1BETA1}/text-embedding-004:predict`]);
  expect(single.embedding.values).toEqual((await expectedVectors('text-embedding-004', ['hello']))[0]);
  expect(batch.embeddings.map((e) => e.values)).toEqual(await expectedVectors('text-embedding-004', ['a', 'b', 'c']));
});

test('a newer Gemini embedding model: Vertex embedContent per content, its dimensionality honoured', async () => {
  // For these models the SDK embeds its inputs together, as the parts of one content.
  const result = await ai.models.embedContent({ model: 'gemini-embedding-2', contents: ['first', 'second'], config: { outputDimensionality: 16 } });
  expect(emulator.recent.map((r) => r.path)).toEqual([`${V1}/gemini-embedding-2:embedContent`]);
  const direct = await postJson(`${upstreamUrl}/v1beta/models/gemini-embedding-2:embedContent`, { content: { parts: [{ text: 'first' }, { text: 'second' }] }, outputDimensionality: 16 });
  expect(result.embeddings?.map((e) => e.values)).toEqual([direct.json<{ embedding: { values: number[] } }>().embedding.values]);
  expect(result.embeddings?.[0]?.values).toHaveLength(16);
});

test('a batch for a newer Gemini embedding model: one Vertex embedContent per request, answers in order', async () => {
  const embedder = new GoogleGenerativeAI('team-key').getGenerativeModel({ model: 'gemini-embedding-2' }, { baseUrl: gateway.url });
  const batch = await embedder.batchEmbedContents({ requests: ['a', 'b'].map((t) => ({ content: { role: 'user', parts: [{ text: t }] } })) });
  expect(emulator.recent.map((r) => r.path)).toEqual([`${V1BETA1}/gemini-embedding-2:embedContent`, `${V1BETA1}/gemini-embedding-2:embedContent`]);
  expect(batch.embeddings.map((e) => e.values)).toEqual(await expectedVectors('gemini-embedding-2', ['a', 'b']));
});

test('the OpenAI SDK\'s embeddings reach Vertex the same way', async () => {
  const client = new OpenAI({ apiKey: 'team-key', baseURL: `${gateway.url}/v1beta/openai/` });
  const result = await client.embeddings.create({ model: 'text-embedding-004', input: ['one', 'two'], dimensions: 4, encoding_format: 'float' });
  expect(result.data.map((d) => d.embedding)).toEqual(await expectedVectors('text-embedding-004', ['one', 'two'], 4));
  expect(emulator.recent.filter((r) => r.path.endsWith(':predict')).map((r) => r.path)).toEqual([`${V1BETA1}/text-embedding-004:predict`]);
});

test('what predict cannot carry is refused with a 400 that says why, before any call to Vertex', async () => {
  const error = await ai.models
    .embedContent({ model: 'text-embedding-004', contents: [{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }] }] })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(400);
  expect((error as ApiError).message).toMatch(/exactly one text part/);
  expect(emulator.recent).toEqual([]);
});

test('when one of the Vertex calls fails, the caller gets that failure in Google\'s shape, not a partial answer', async () => {
  emulator.faults.set([{ kind: 'status', status: 503, method: 'predict', count: 1 }]);
  const error = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['x', 'y'] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(503);
  expect(emulator.recent.map((r) => r.method)).toEqual(['predict', 'predict']);
});

test('the Vertex dialect is passed through: an SDK in Vertex mode gets Vertex\'s own answer', async () => {
  const vertex = new GoogleGenAI({ vertexai: true, project: 'team', location: 'us-central1', googleAuthOptions: { authClient: fakeAuthClient() }, httpOptions: { baseUrl: gateway.url } });
  const result = await vertex.models.embedContent({ model: 'text-embedding-004', contents: ['first'] });
  expect(emulator.recent.map((r) => r.path)).toEqual([`${V1BETA1}/text-embedding-004:predict`]);
  expect(result.embeddings?.[0]?.values).toEqual((await expectedVectors('text-embedding-004', ['first']))[0]);
  expect(result.embeddings?.[0]?.statistics?.tokenCount).toBeGreaterThan(0);
});

describe('an SDK in Vertex mode, through a gateway whose upstream is AI Studio', () => {
  let aiStudioGateway: TestGateway;
  let vertexMode: GoogleGenAI;
  beforeAll(async () => {
    aiStudioGateway = await startTestGateway({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: upstreamUrl, GATEWAY_RETRY_MAX_ATTEMPTS: '1' });
    vertexMode = new GoogleGenAI({ vertexai: true, project: 'team', location: 'us-central1', googleAuthOptions: { authClient: fakeAuthClient() }, httpOptions: { baseUrl: aiStudioGateway.url } });
  });
  afterAll(() => aiStudioGateway.stop());

  test('predict on an embedding model is answered by batchEmbedContents, in Vertex\'s shape', async () => {
    const result = await vertexMode.models.embedContent({ model: 'text-embedding-004', contents: ['first', 'second'], config: { outputDimensionality: 8, taskType: 'RETRIEVAL_QUERY' } });
    expect(emulator.recent.map((r) => [r.path, r.auth])).toEqual([['/v1beta/models/text-embedding-004:batchEmbedContents', 'api-key-header']]);
    expect(result.embeddings?.map((e) => e.values)).toEqual(await expectedVectors('text-embedding-004', ['first', 'second'], 8));
  });

  test('Vertex embedContent is answered by the Gemini API\'s embedContent, its options moved to the top level', async () => {
    const result = await vertexMode.models.embedContent({ model: 'gemini-embedding-2', contents: 'first', config: { outputDimensionality: 16 } });
    expect(emulator.recent.map((r) => r.path)).toEqual(['/v1beta/models/gemini-embedding-2:embedContent']);
    expect(result.embeddings?.map((e) => e.values)).toEqual(await expectedVectors('gemini-embedding-2', ['first'], 16));
  });

  test('predict on an image model goes through as it is', async () => {
    await postJson(`${aiStudioGateway.url}/v1beta1/projects/team/locations/us-central1/publishers/google/models/imagen-4.0-generate-001:predict`, { instances: [{ prompt: 'a lighthouse' }] });
    expect(emulator.recent.map((r) => r.path)).toEqual(['/v1beta/models/imagen-4.0-generate-001:predict']);
  });
});
