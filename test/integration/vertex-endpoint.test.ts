/**
 * A Vertex AI endpoint serving tuned models (GATEWAY_VERTEX_ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS), as
 * the infrastructure configures it: app teams call the tuned model by name with the official SDK, and the
 * gateway sends the call to the endpoint, in the endpoint's project and region, with its Vertex token.
 */
import { GoogleGenAI } from '@google/genai';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postJson } from '../support/http';

const ENDPOINT = 'projects/tuning-project/locations/europe-west1/endpoints/4242424242';
const ENDPOINT_PATH = `/v1/${ENDPOINT}`;
// Not the prompt the SDK tests send, so none of these is answered from the cache.
const BODY = { contents: [{ role: 'user', parts: [{ text: 'Track order 17' }] }] };

let emulator: GeminiEmulator;
let upstreamUrl: string;

beforeAll(async () => ({ emulator, url: upstreamUrl } = await startEmulator()));
afterAll(() => emulator.close());
beforeEach(() => emulator.resetStats());

const endpointSettings = { GATEWAY_VERTEX_ENDPOINT: ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS: 'support-tuned,legal-tuned' };

describe('with Vertex AI as the upstream', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway(
      { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_CLOUD_LOCATION: 'global', GOOGLE_VERTEX_BASE_URL: upstreamUrl, ...endpointSettings },
      { vertexAuthClient: fakeAuthClient() },
    );
  });
  afterAll(() => gateway.stop());

  test('the SDK calls a tuned model by name: generate, stream and countTokens reach the endpoint with a bearer token', async () => {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    const response = await ai.models.generateContent({ model: 'support-tuned', contents: 'Where is my parcel?' });
    expect(response.text).toContain('Where is my parcel?');
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({ model: 'support-tuned', contents: 'Where is my parcel?' })) chunks.push(chunk);
    expect(chunks.map((c) => c.text).join('')).toBe(response.text);
    expect((await ai.models.countTokens({ model: 'legal-tuned', contents: 'abcd' })).totalTokens).toBe(1);
    expect(emulator.recent.map((r) => [r.path, r.auth])).toEqual([
      [`${ENDPOINT_PATH}:generateContent`, 'bearer'],
      [`${ENDPOINT_PATH}:streamGenerateContent`, 'bearer'],
      [`${ENDPOINT_PATH}:countTokens`, 'bearer'],
    ]);
  });

  test('other models stay on the publisher path at the configured location; the endpoint by its id, or a tuned name in the Vertex dialect, goes to the endpoint', async () => {
    expect((await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`, BODY)).status).toBe(200);
    expect((await postJson(`${gateway.url}/v1/projects/any/locations/any/endpoints/4242424242:generateContent`, BODY)).status).toBe(200);
    expect((await postJson(`${gateway.url}/v1/projects/any/locations/any/endpoints/777:generateContent`, BODY)).status).toBe(200);
    // A tuned model's name in the Vertex dialect is routed like the same name in the Gemini API dialect.
    expect((await postJson(`${gateway.url}/v1beta1/projects/any/locations/any/publishers/google/models/support-tuned:generateContent`, BODY)).status).toBe(200);
    expect(emulator.recent.map((r) => r.path)).toEqual([
      '/v1beta1/projects/prod-project/locations/global/publishers/google/models/gemini-3.5-flash:generateContent',
      `${ENDPOINT_PATH}:generateContent`,
      '/v1/projects/prod-project/locations/global/endpoints/777:generateContent',
      `/v1beta1/${ENDPOINT}:generateContent`,
    ]);
  });
});

test('with AI Studio as the default upstream, only the endpoint\'s models go to Vertex', async () => {
  const gateway = await startTestGateway(
    { GEMINI_API_KEY: 'real-key', GOOGLE_GEMINI_BASE_URL: upstreamUrl, GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_VERTEX_BASE_URL: upstreamUrl, ...endpointSettings },
    { vertexAuthClient: fakeAuthClient() },
  );
  try {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    await ai.models.generateContent({ model: 'support-tuned', contents: 'Where is my parcel?' });
    await ai.models.generateContent({ model: 'gemini-3.5-flash', contents: 'Where is my parcel?' });
    expect(emulator.recent.map((r) => [r.path, r.auth])).toEqual([
      [`${ENDPOINT_PATH}:generateContent`, 'bearer'],
      ['/v1/models/gemini-3.5-flash:generateContent', 'api-key-header'],
    ]);
  } finally {
    await gateway.stop();
  }
});

test('on the embedded emulator, the endpoint\'s models are answered locally on the endpoint path', async () => {
  const gateway = await startTestGateway(endpointSettings);
  try {
    const ai = new GoogleGenAI({ apiKey: 'team-key', httpOptions: { baseUrl: gateway.url } });
    expect((await ai.models.generateContent({ model: 'support-tuned', contents: 'Where is my parcel?' })).text).toContain('Where is my parcel?');
    expect(gateway.emulator?.recent.map((r) => r.path)).toEqual([`${ENDPOINT_PATH}:generateContent`]);
  } finally {
    await gateway.stop();
  }
});
