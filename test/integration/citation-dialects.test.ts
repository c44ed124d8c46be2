/**
 * Citations reach an SDK in either dialect, whichever upstream answered. The emulator cites the first https
 * URL of a prompt, naming the field as its dialect does (Gemini API `citationSources`, Vertex `citations`);
 * each SDK reads only its own name, so the gateway renames it when the caller's dialect is not the upstream's.
 */
import { GoogleGenAI } from '@google/genai';
import { GoogleGenerativeAI } from '@google/generative-ai';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MODEL = 'gemini-3.5-flash';
const SOURCE = 'https://example.com/lighthouses/history';
const PROMPT = `Summarise ${SOURCE} in a sentence.`;

let emulator: GeminiEmulator;
let upstreamUrl: string;
beforeAll(async () => ({ emulator, url: upstreamUrl } = await startEmulator()));
afterAll(() => emulator.close());

async function withGateway(env: Record<string, string>, use: (gateway: TestGateway) => Promise<void>): Promise<void> {
  const gateway = await startTestGateway({ ...env, GATEWAY_CACHE_TTL_SECONDS: '0' }, { vertexAuthClient: fakeAuthClient() });
  try {
    await use(gateway);
  } finally {
    await gateway.stop();
  }
}

test('Gemini API SDKs through a Vertex gateway: the citation arrives, unary and streamed', async () => {
  await withGateway({ GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_VERTEX_BASE_URL: upstreamUrl }, async (gateway) => {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    const unary = await ai.models.generateContent({ model: MODEL, contents: PROMPT });
    expect(unary.candidates?.[0]?.citationMetadata?.citations).toEqual([expect.objectContaining({ uri: SOURCE })]);
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: PROMPT })) chunks.push(chunk);
    expect(chunks.at(-1)?.candidates?.[0]?.citationMetadata?.citations).toEqual([expect.objectContaining({ uri: SOURCE })]);
    const legacy = new GoogleGenerativeAI('team-key').getGenerativeModel({ model: MODEL }, { baseUrl: gateway.url });
    const answer = await legacy.generateContent(PROMPT);
    expect(answer.response.candidates?.[0]?.citationMetadata?.citationSources).toEqual([expect.objectContaining({ uri: SOURCE })]);
  });
});

test('an SDK in Vertex mode through an AI Studio gateway: the citation arrives, unary and streamed', async () => {
  await withGateway({ GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: upstreamUrl }, async (gateway) => {
    const vertexMode = new GoogleGenAI({ vertexai: true, project: 'team', location: 'us-central1', googleAuthOptions: { authClient: fakeAuthClient() }, httpOptions: { baseUrl: gateway.url } });
    const unary = await vertexMode.models.generateContent({ model: MODEL, contents: PROMPT });
    expect(unary.candidates?.[0]?.citationMetadata?.citations).toEqual([expect.objectContaining({ uri: SOURCE })]);
    const chunks = [];
    for await (const chunk of await vertexMode.models.generateContentStream({ model: MODEL, contents: PROMPT })) chunks.push(chunk);
    expect(chunks.at(-1)?.candidates?.[0]?.citationMetadata?.citations).toEqual([expect.objectContaining({ uri: SOURCE })]);
  });
});
