/**
 * Fidelity on real traffic: every request Google's SDK test suite recorded against the real API goes through
 * the gateway (AI Studio and Vertex paths, unary and SSE) to an upstream that answers with the recorded
 * response; the client must receive exactly what Google sent, and no recorded request may be rejected.
 */
import { send, sseEvents } from '../support/http';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { loadRecordings, startReplayUpstream } from '../support/recordings';

const interactions = loadRecordings();
let replay: Awaited<ReturnType<typeof startReplayUpstream>>;
let aiStudio: TestGateway;
let vertex: TestGateway;
/** Protocol fidelity only: no cache (recordings repeat requests with different answers), models as recorded. */
const PASS_THROUGH = { GATEWAY_CACHE_TTL_SECONDS: '0', GATEWAY_MODELS: '{}', GATEWAY_RETRY_MAX_ATTEMPTS: '1' };

beforeAll(async () => {
  replay = await startReplayUpstream(interactions);
  aiStudio = await startTestGateway({ ...PASS_THROUGH, GEMINI_API_KEY: 'recorded-key', GOOGLE_GEMINI_BASE_URL: replay.url });
  vertex = await startTestGateway(
    { ...PASS_THROUGH, GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'replay-project', GOOGLE_CLOUD_LOCATION: 'us-central1', GOOGLE_VERTEX_BASE_URL: replay.url },
    { vertexAuthClient: fakeAuthClient() },
  );
});
afterAll(async () => {
  replay?.server.close();
  await Promise.all([aiStudio?.stop(), vertex?.stop()]);
});

test('the recordings cover both dialects, unary and streaming', () => {
  expect(interactions.length).toBeGreaterThanOrEqual(40);
  expect(interactions.some((i) => i.url.includes('/projects/') && i.url.includes('alt=sse'))).toBe(true);
  expect(interactions.some((i) => !i.url.includes('/projects/') && i.url.includes('alt=sse'))).toBe(true);
});

test.each(interactions.map((i, n) => [`${n} ${i.file.slice(0, 90)}`, i] as const))('%s', async (_name, interaction) => {
  const gateway = interaction.url.includes('/projects/') ? vertex : aiStudio;
  const response = await send(`${gateway.url}${interaction.url}`, { body: JSON.stringify(interaction.requestBody) });
  expect(replay.misses).toEqual([]);
  expect(response.status).toBe(interaction.statusCode);
  if (interaction.url.includes(':streamGenerateContent')) {
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(sseEvents(response.text)).toEqual(interaction.responseSegments.map((s) => JSON.stringify(s)));
  } else {
    expect(response.text).toBe(JSON.stringify(interaction.responseSegments[0]));
  }
});
