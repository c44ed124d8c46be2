/**
 * Models list and get across the dialects: an app lists models with its SDK and passes a listed name back
 * into a call. The Gemini API names models `models/{id}` under `models`, Vertex `publishers/google/models/{id}`
 * under `publisherModels`; each SDK reads its own, so a gateway whose upstream speaks the other dialect
 * rewrites the list key and the names.
 */
import { GoogleGenAI } from '@google/genai';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MODEL = 'gemini-3.5-flash';

let emulator: GeminiEmulator;
let upstreamUrl: string;
beforeAll(async () => ({ emulator, url: upstreamUrl } = await startEmulator()));
afterAll(() => emulator.close());

async function listNames(ai: GoogleGenAI): Promise<string[]> {
  const names: string[] = [];
  for await (const model of await ai.models.list({ config: { pageSize: 5 } })) names.push(model.name ?? '');
  return names;
}

describe('a Gemini API SDK through a Vertex gateway', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_VERTEX_BASE_URL: upstreamUrl }, { vertexAuthClient: fakeAuthClient() });
  });
  afterAll(() => gateway.stop());

  test('lists every model as models/{id}, page by page, and gets one by that name', async () => {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    const names = await listNames(ai);
    expect(names).toContain(`models/${MODEL}`);
    expect(names.length).toBeGreaterThan(5);
    expect(names.every((name) => name.startsWith('models/'))).toBe(true);
    expect((await ai.models.get({ model: MODEL })).name).toBe(`models/${MODEL}`);
    // A listed name works in a call.
    expect((await ai.models.generateContent({ model: `models/${MODEL}`, contents: 'hi' })).text).toContain('hi');
  });

  test('the Gemini API\'s tuned models have no Vertex counterpart: a 400 saying so, never base models under their names', async () => {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    emulator.resetStats();
    const tunedList = async (): Promise<unknown[]> => {
      const models: unknown[] = [];
      for await (const model of await ai.models.list({ config: { queryBase: false } })) models.push(model);
      return models;
    };
    await expect(tunedList()).rejects.toMatchObject({ status: 400, message: expect.stringContaining('FAILED_PRECONDITION') as unknown });
    await expect(ai.models.generateContent({ model: `tunedModels/${MODEL}`, contents: 'hi' })).rejects.toMatchObject({ status: 400 });
    expect(emulator.recent).toEqual([]);
  });
});

describe('an SDK in Vertex mode through an AI Studio gateway', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  });
  afterAll(() => gateway.stop());

  test('lists every model as publishers/google/models/{id}, and gets one by that name', async () => {
    const vertexMode = new GoogleGenAI({ vertexai: true, project: 'team', location: 'us-central1', googleAuthOptions: { authClient: fakeAuthClient() }, httpOptions: { baseUrl: gateway.url } });
    const names = await listNames(vertexMode);
    expect(names).toContain(`publishers/google/models/${MODEL}`);
    expect(names.every((name) => name.startsWith('publishers/google/models/'))).toBe(true);
    expect((await vertexMode.models.get({ model: MODEL })).name).toBe(`publishers/google/models/${MODEL}`);
    expect((await vertexMode.models.generateContent({ model: `publishers/google/models/${MODEL}`, contents: 'hi' })).text).toContain('hi');
  });
});
