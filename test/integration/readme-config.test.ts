/** The README's example policy configuration loads and behaves as the README says. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { expectGoogleError, postJson } from '../support/http';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const example = /<!-- example-config[^>]*-->\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
const dir = mkdtempSync(join(tmpdir(), 'gw-readme-config-'));
let gateway: TestGateway;

beforeAll(async () => {
  writeFileSync(join(dir, 'gateway.json'), example ?? '');
  gateway = await startTestGateway({ GATEWAY_CONFIG_FILE: join(dir, 'gateway.json'), GATEWAY_AUTH_MODE: 'keys' });
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the example is in the README', () => {
  expect(example).toBeDefined();
});

test('its callers, tiers, rules and allow-lists work as described', async () => {
  const url = (model: string) => `${gateway.url}/v1beta/models/${model}:generateContent`;
  const body = { contents: [{ parts: [{ text: 'short question' }] }] };
  const support = await postJson(url('balanced'), body, { 'x-goog-api-key': 'support-bot-key' });
  expect(support.headers['x-gemini-model-used']).toBe('gemini-3.5-flash-lite'); // small prompt rule
  expectGoogleError(await postJson(url('precise'), body, { 'x-goog-api-key': 'support-bot-key' }), 403);
  const search = await postJson(url('precise'), body, { 'x-goog-api-key': 'search-team-key' });
  expect(search.headers['x-gemini-model-used']).toBe('gemini-3.1-pro-preview');
  expectGoogleError(await postJson(url('fast'), body, { 'x-goog-api-key': 'someone-else' }), 403);
});
