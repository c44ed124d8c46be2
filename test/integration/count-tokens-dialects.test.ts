/**
 * countTokens across the dialects: the legacy SDK's `generateContentRequest` wrapper through a gateway whose
 * upstream is Vertex, and an SDK in Vertex mode counting with a system instruction through a gateway whose
 * upstream is AI Studio. Each API refuses the other's body (as the emulator does), and the count must be
 * the one the upstream gives for the same request in its own dialect. computeTokens, which only Vertex
 * has, is answered by a Vertex upstream and refused with an AI Studio one: a 400 FAILED_PRECONDITION that
 * says why (not a 5xx, which would count against the gateway's availability).
 */
import { ApiError, GoogleGenAI } from '@google/genai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway } from '../support/gateway';
import { postJson } from '../support/http';

const MODEL = 'gemini-3.5-flash';
const SYSTEM = 'You answer in one short sentence, always.';

let emulator: GeminiEmulator;
let upstreamUrl: string;
beforeAll(async () => ({ emulator, url: upstreamUrl } = await startEmulator()));
afterAll(() => emulator.close());

/** The upstream's own count of a prompt with a system instruction, asked in the Gemini API dialect. */
async function directCount(text: string): Promise<number> {
  const body = { generateContentRequest: { model: `models/${MODEL}`, contents: [{ role: 'user', parts: [{ text }] }], systemInstruction: { parts: [{ text: SYSTEM }] } } };
  return (await postJson(`${upstreamUrl}/v1beta/models/${MODEL}:countTokens`, body)).json<{ totalTokens: number }>().totalTokens;
}

async function directCountWithoutSystem(text: string): Promise<number> {
  return (await postJson(`${upstreamUrl}/v1beta/models/${MODEL}:countTokens`, { contents: [{ role: 'user', parts: [{ text }] }] })).json<{ totalTokens: number }>().totalTokens;
}

test('the legacy SDK through a Vertex gateway: the wrapped request is counted, system instruction included', async () => {
  const gateway = await startTestGateway(
    { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_VERTEX_BASE_URL: upstreamUrl },
    { vertexAuthClient: fakeAuthClient() },
  );
  try {
    const model = new GoogleGenerativeAI('team-key').getGenerativeModel({ model: MODEL, systemInstruction: SYSTEM }, { baseUrl: gateway.url });
    const counted = await model.countTokens('count these words for me');
    expect(counted.totalTokens).toBe(await directCount('count these words for me'));
    expect(counted.totalTokens).toBeGreaterThan(await directCountWithoutSystem('count these words for me'));
  } finally {
    await gateway.stop();
  }
});

test('an SDK in Vertex mode through an AI Studio gateway: its system instruction is counted too', async () => {
  const gateway = await startTestGateway({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    const vertexMode = new GoogleGenAI({ vertexai: true, project: 'team', location: 'us-central1', googleAuthOptions: { authClient: fakeAuthClient() }, httpOptions: { baseUrl: gateway.url } });
    const counted = await vertexMode.models.countTokens({ model: MODEL, contents: 'count these words for me', config: { systemInstruction: SYSTEM } });
    expect(counted.totalTokens).toBe(await directCount('count these words for me'));
  } finally {
    await gateway.stop();
  }
});

test('computeTokens: served with a Vertex upstream; with AI Studio, a 400 FAILED_PRECONDITION that says why', async () => {
  const vertexGateway = await startTestGateway(
    { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_VERTEX_BASE_URL: upstreamUrl },
    { vertexAuthClient: fakeAuthClient() },
  );
  const aiStudioGateway = await startTestGateway({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    const vertexMode = (gatewayUrl: string) => new GoogleGenAI({ vertexai: true, project: 'team', location: 'us-central1', googleAuthOptions: { authClient: fakeAuthClient() }, httpOptions: { baseUrl: gatewayUrl } });
    expect((await vertexMode(vertexGateway.url).models.computeTokens({ model: MODEL, contents: 'abcdefgh' })).tokensInfo?.[0]?.tokens).toHaveLength(2);
    emulator.resetStats();
    const error = await vertexMode(aiStudioGateway.url).models.computeTokens({ model: MODEL, contents: 'abcdefgh' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toMatch(/FAILED_PRECONDITION/);
    expect((error as ApiError).message).toMatch(/computeTokens is a Vertex AI method.*countTokens/);
    expect(emulator.recent).toEqual([]);
  } finally {
    await vertexGateway.stop();
    await aiStudioGateway.stop();
  }
});
