/**
 * Key rotation under load: the mounted key file changes every 100 ms while requests flow, Google (the
 * emulator) accepts only the newest two keys, and not one request fails — the gateway re-reads the file on
 * its interval and at once when a key is refused, and keeps the previous key through the grace period.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeminiEmulator } from '../../service/emulator/server';
import { startEmulator } from '../support/emulator';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postJson, send } from '../support/http';

const ROTATIONS = 20;
let emulator: GeminiEmulator;
let gateway: TestGateway;
let dir: string;

/** Secret Manager's volume swaps the file whole; so does this (write aside, then rename). */
function mountKey(key: string): void {
  writeFileSync(join(dir, 'api-key.next'), `${key}\n`);
  renameSync(join(dir, 'api-key.next'), join(dir, 'api-key'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-rotation-'));
  let url: string;
  ({ emulator, url } = await startEmulator({ apiKeys: ['key-0'] }));
  mountKey('key-0');
  gateway = await startTestGateway({
    GEMINI_API_KEY_FILE: join(dir, 'api-key'),
    GOOGLE_GEMINI_BASE_URL: url,
    GATEWAY_KEY_RELOAD_SECONDS: '0.1',
    GATEWAY_CACHE_TTL_SECONDS: '0',
    GATEWAY_RETRY_MAX_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  await gateway?.stop();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a key rotated every 100 ms under continuous load fails no request', async () => {
  const statuses: number[] = [];
  let rotating = true;
  const rotation = (async () => {
    for (let n = 1; n <= ROTATIONS; n++) {
      emulator.setApiKeys([`key-${n - 1}`, `key-${n}`]); // the new key exists at Google first…
      mountKey(`key-${n}`); // …then Secret Manager serves it…
      await sleep(100);
      emulator.setApiKeys([`key-${n}`]); // …and the old one is deleted after a (here very short) grace period.
    }
    rotating = false;
  })();
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; rotating && i < 10_000; i++) {
      const response = await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash-lite:generateContent`, { contents: [{ parts: [{ text: `load ${w}-${i}` }] }] });
      statuses.push(response.status);
    }
  };
  await Promise.all([rotation, ...Array.from({ length: 8 }, (_, w) => worker(w))]);
  expect(statuses.length).toBeGreaterThan(ROTATIONS);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
});

test('models list and get fall back to the previous key too, while Google does not take the new one yet', async () => {
  emulator.setApiKeys(['key-old']);
  mountKey('key-old');
  await sleep(300);
  mountKey('key-new'); // served by Secret Manager before Google accepts it
  await sleep(300);
  expect((await send(`${gateway.url}/v1beta/models`)).status).toBe(200);
  expect((await send(`${gateway.url}/v1beta/models/gemini-3.5-flash`)).status).toBe(200);
  expect((await postJson(`${gateway.url}/v1beta/models/gemini-3.5-flash-lite:generateContent`, { contents: [{ parts: [{ text: 'hi' }] }] })).status).toBe(200);
});
