/**
 * The real upstream clients against a separate Gemini-compatible server (the emulator standing in for
 * Google): AI Studio with a key (from the environment or a mounted file) sent only as a header, Vertex with
 * an OAuth token, base URLs from GOOGLE_GEMINI_BASE_URL / GOOGLE_VERTEX_BASE_URL, and cancellation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { fakeAuthClient } from '../support/fake-auth';
import { startTestGateway } from '../support/gateway';
import { expectGoogleError, postJson, send } from '../support/http';

const BODY = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
let emulator: GeminiEmulator;
let upstreamUrl: string;

beforeAll(async () => ({ emulator, url: upstreamUrl } = await startEmulator({ apiKeys: ['real-key'] })));
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.resetStats();
  emulator.faults.clear();
});

test('AI Studio: the key goes upstream as x-goog-api-key only, whatever key the caller presented', async () => {
  const gateway = await startTestGateway({ GEMINI_API_KEY: 'real-key', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    const response = await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent?key=caller-key`, BODY, { 'x-goog-api-key': 'caller-key' });
    expect(response.status).toBe(200);
    expect(emulator.recent).toEqual([expect.objectContaining({ path: '/v1beta/models/gemini-3.5-flash:generateContent', auth: 'api-key-header' })]);
  } finally {
    await gateway.stop();
  }
});

test('AI Studio only: a Vertex endpoint path is a 400 FAILED_PRECONDITION, and nothing goes upstream', async () => {
  const gateway = await startTestGateway({ GEMINI_API_KEY: 'real-key', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    const response = await postJson(`${gateway.url}/v1beta1/projects/p/locations/us-central1/endpoints/987:generateContent`, BODY);
    expectGoogleError(response, 400, 'FAILED_PRECONDITION');
    expect(emulator.recent).toEqual([]);
  } finally {
    await gateway.stop();
  }
});

test('AI Studio: the key is read from a mounted file (trailing newline ignored)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-key-'));
  writeFileSync(join(dir, 'api-key'), 'real-key\n');
  const gateway = await startTestGateway({ GEMINI_API_KEY_FILE: join(dir, 'api-key'), GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    expect((await postJson(`${gateway.url}/v1/models/gemini-3.5-flash:generateContent`, BODY)).status).toBe(200);
    expect((await send(`${gateway.url}/readyz`)).status).toBe(200);
  } finally {
    await gateway.stop();
  }
});

test('AI Studio: an upstream that rejects the key → its 400 API_KEY_INVALID reaches the caller unchanged', async () => {
  const gateway = await startTestGateway({ GEMINI_API_KEY: 'revoked-key', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    const response = await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`, BODY);
    expectGoogleError(response, 400, 'INVALID_ARGUMENT');
    expect(response.json()).toMatchObject({ error: { details: [{ reason: 'API_KEY_INVALID' }] } });
  } finally {
    await gateway.stop();
  }
});

test('Vertex: bearer token from the auth client, the configured project and location, models listed', async () => {
  const gateway = await startTestGateway(
    { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'prod-project', GOOGLE_CLOUD_LOCATION: 'europe-west4', GOOGLE_VERTEX_BASE_URL: upstreamUrl },
    { vertexAuthClient: fakeAuthClient() },
  );
  try {
    expect((await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`, BODY)).status).toBe(200);
    expect((await postJson(`${gateway.url}/v1/projects/team/locations/any/endpoints/987:generateContent`, BODY)).status).toBe(200);
    expect((await send(`${gateway.url}/v1beta1/publishers/google/models`)).status).toBe(200);
    expect(emulator.recent.map((r) => [r.path, r.auth])).toEqual([
      ['/v1beta1/projects/prod-project/locations/europe-west4/publishers/google/models/gemini-3.5-flash:generateContent', 'bearer'],
      ['/v1/projects/prod-project/locations/europe-west4/endpoints/987:generateContent', 'bearer'],
      ['/v1beta1/publishers/google/models', 'bearer'],
    ]);
  } finally {
    await gateway.stop();
  }
});

test('a client that disconnects mid-stream cancels the upstream call', async () => {
  const gateway = await startTestGateway({ GEMINI_API_KEY: 'real-key', GOOGLE_GEMINI_BASE_URL: upstreamUrl });
  try {
    emulator.faults.set([{ kind: 'stall', afterChunks: 1, probability: 1 }]);
    const controller = new AbortController();
    const response = await request(`${gateway.url}/v1beta/models/gemini-3.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BODY),
      signal: controller.signal,
    });
    await response.body[Symbol.asyncIterator]().next();
    controller.abort();
    for (let i = 0; i < 50 && emulator.abandonedCount === 0; i++) await sleep(20);
    expect(emulator.abandonedCount).toBe(1);
  } finally {
    await gateway.stop();
  }
});
