/** Configuration: defaults, the upstream each combination selects, and errors that name the bad setting. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../service/config/load';

test('no settings: port 8080 on the embedded emulator', () => {
  const config = loadConfig({});
  expect(config.port).toBe(8080);
  expect(config.resolvedUpstream).toEqual({ kind: 'emulator' });
  expect(config.drainSeconds).toBe(10);
});

const OPEN = { GATEWAY_AUTH_MODE: 'open' };

test('a key selects AI Studio at Google unless the base URL is overridden', () => {
  expect(loadConfig({ ...OPEN, GEMINI_API_KEY: 'k' }).resolvedUpstream).toEqual({ kind: 'ai-studio', baseUrl: 'https://generativelanguage.googleapis.com', apiKey: 'k', apiKeyFile: undefined });
  expect(loadConfig({ ...OPEN, GEMINI_API_KEY_FILE: '/k', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9/' }).resolvedUpstream).toMatchObject({ baseUrl: 'http://127.0.0.1:9', apiKeyFile: '/k' });
});

test('GOOGLE_GENAI_USE_VERTEXAI selects Vertex with a location-derived URL', () => {
  expect(loadConfig({ ...OPEN, GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GOOGLE_CLOUD_LOCATION: 'europe-west4' }).resolvedUpstream).toEqual({
    kind: 'vertex',
    baseUrl: 'https://europe-west4-aiplatform.googleapis.com',
    project: 'p',
    location: 'europe-west4',
  });
  expect(loadConfig({ ...OPEN, GOOGLE_GENAI_USE_VERTEXAI: '1', GOOGLE_CLOUD_PROJECT: 'p' }).resolvedUpstream).toMatchObject({ baseUrl: 'https://aiplatform.googleapis.com', location: 'global' });
});

test.each([
  [{ PORT: '99999' }, /PORT: .*\(got "99999"\)/],
  [{ GOOGLE_GENAI_USE_VERTEXAI: 'maybe' }, /GOOGLE_GENAI_USE_VERTEXAI/],
  [{ GOOGLE_GENAI_USE_VERTEXAI: 'true' }, /GOOGLE_CLOUD_PROJECT: required/],
  [{ GATEWAY_UPSTREAM: 'ai-studio' }, /GEMINI_API_KEY or GEMINI_API_KEY_FILE: required/],
  [{ GOOGLE_GEMINI_BASE_URL: 'ftp://x' }, /GOOGLE_GEMINI_BASE_URL/],
  [{ GATEWAY_DRAIN_SECONDS: '-1' }, /GATEWAY_DRAIN_SECONDS/],
])('%j is rejected with a message naming the setting', (env, message) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
});

test('a gateway with real credentials is never open by default', () => {
  expect(() => loadConfig({ GEMINI_API_KEY: 'k' })).toThrow(/GATEWAY_AUTH_MODE: a gateway holding real Gemini credentials is never open by default/);
  const keyHash = 'a'.repeat(64);
  expect(loadConfig({ GEMINI_API_KEY: 'k', GATEWAY_CALLERS: JSON.stringify([{ id: 'team-a', keySha256: [keyHash] }]) }).resolvedAuthMode).toBe('keys');
});

test('structured settings come as JSON in the environment and are validated', () => {
  expect(() => loadConfig({ GATEWAY_CALLERS: '[{"id":"Team A"}]' })).toThrow(/GATEWAY_CALLERS: .*lower-case/s);
  expect(() => loadConfig({ GATEWAY_CALLERS: '{not json' })).toThrow(/GATEWAY_CALLERS: must be valid JSON/);
  expect(() => loadConfig({ GATEWAY_CALLERS: '[{"id":"a"},{"id":"a"}]' })).toThrow(/appears twice/);
  // One key or identity for two callers: the second would take the first's traffic, limits unenforced.
  const key = 'a'.repeat(64);
  expect(() => loadConfig({ GATEWAY_CALLERS: JSON.stringify([{ id: 'a', keySha256: [key] }, { id: 'b', keySha256: ['b'.repeat(64), key] }]) })).toThrow(
    /GATEWAY_CALLERS: callers a and b share a key \(keySha256 aaaaaaaaaaaa…\)/,
  );
  expect(() => loadConfig({ GATEWAY_CALLERS: JSON.stringify([{ id: 'a', identities: ['accounts.google.com:Alice@example.com'] }, { id: 'b', identities: ['alice@example.com'] }]) })).toThrow(
    /callers a and b share the identity alice@example\.com/,
  );
  // Listed twice by one caller is harmless.
  expect(loadConfig({ GATEWAY_CALLERS: JSON.stringify([{ id: 'a', keySha256: [key, key] }]) }).callers).toHaveLength(1);
  expect(loadConfig({ GATEWAY_MODELS: '{"aliases":{"cheap":"gemini-3.5-flash-lite"}}' }).models.aliases).toEqual({ cheap: 'gemini-3.5-flash-lite' });
  // A price's start date must be a day of the calendar, not only look like one.
  const price = (from: string) => JSON.stringify([{ model: 'gemini-3.8-flash', from, input: 1.5, output: 7.5, cachedInput: 0.15 }]);
  expect(() => loadConfig({ GATEWAY_PRICES: price('2026-13-45') })).toThrow(/GATEWAY_PRICES: must be a date like 2026-12-01/);
  expect(loadConfig({ GATEWAY_PRICES: price('2027-01-01') }).prices).toEqual([expect.objectContaining({ model: 'gemini-3.8-flash', from: '2027-01-01' })]);
});

test('a model routed to vertex while AI Studio is the default needs a project', () => {
  const env = { ...OPEN, GEMINI_API_KEY: 'k', GATEWAY_MODELS: '{"backends":{"gemini-3.5-flash":"vertex"}}' };
  expect(() => loadConfig(env)).toThrow(/GOOGLE_CLOUD_PROJECT: required when GATEWAY_MODELS or GATEWAY_VERTEX_ENDPOINT routes a model to vertex/);
  expect(loadConfig({ ...env, GOOGLE_CLOUD_PROJECT: 'p' }).secondaryVertex).toMatchObject({ kind: 'vertex', project: 'p' });
});

const ENDPOINT = 'projects/tuning-project/locations/europe-west1/endpoints/4242424242';

test('a Vertex AI endpoint is called in its own region, for the model names listed with it', () => {
  const vertex = { ...OPEN, GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'p', GATEWAY_VERTEX_ENDPOINT: ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS: ' support-tuned, legal-tuned ,' };
  expect(loadConfig(vertex).resolvedUpstream).toEqual({
    kind: 'vertex',
    baseUrl: 'https://aiplatform.googleapis.com',
    project: 'p',
    location: 'global',
    endpoint: { name: ENDPOINT, id: '4242424242', baseUrl: 'https://europe-west1-aiplatform.googleapis.com', models: ['support-tuned', 'legal-tuned'] },
  });
  // An overridden Vertex base URL (a proxy, the emulator) serves the endpoint too.
  expect(loadConfig({ ...vertex, GOOGLE_VERTEX_BASE_URL: 'http://127.0.0.1:9' }).resolvedUpstream).toMatchObject({ endpoint: { baseUrl: 'http://127.0.0.1:9' } });
  // With AI Studio the default, Vertex becomes the second upstream for the endpoint's models.
  const aiStudio = { ...OPEN, GEMINI_API_KEY: 'k', GATEWAY_VERTEX_ENDPOINT: ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS: 'support-tuned' };
  expect(() => loadConfig(aiStudio)).toThrow(/GOOGLE_CLOUD_PROJECT: required when GATEWAY_MODELS or GATEWAY_VERTEX_ENDPOINT routes a model to vertex/);
  expect(loadConfig({ ...aiStudio, GOOGLE_CLOUD_PROJECT: 'p' }).secondaryVertex).toMatchObject({ project: 'p', endpoint: { name: ENDPOINT, models: ['support-tuned'] } });
  // On the embedded emulator the endpoint's models can be tried locally.
  expect(loadConfig({ GATEWAY_VERTEX_ENDPOINT: ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS: 'support-tuned' }).resolvedUpstream).toMatchObject({ kind: 'emulator', endpoint: { id: '4242424242' } });
});

test.each([
  [{ GATEWAY_VERTEX_ENDPOINT: 'endpoints/42' }, /GATEWAY_VERTEX_ENDPOINT: must be an endpoint resource name like projects\/my-project/],
  [{ GATEWAY_VERTEX_ENDPOINT: 'projects/p-roject/locations/us-central1/endpoints/01' }, /GATEWAY_VERTEX_ENDPOINT: must be an endpoint resource name/],
  [{ GATEWAY_VERTEX_ENDPOINT: ENDPOINT }, /GATEWAY_VERTEX_ENDPOINT_MODELS: name at least one model/],
  [{ GATEWAY_VERTEX_ENDPOINT_MODELS: 'support-tuned' }, /GATEWAY_VERTEX_ENDPOINT_MODELS: needs GATEWAY_VERTEX_ENDPOINT/],
  [{ GATEWAY_VERTEX_ENDPOINT: ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS: 'support tuned' }, /GATEWAY_VERTEX_ENDPOINT_MODELS: must be a model id/],
  [
    { GATEWAY_VERTEX_ENDPOINT: ENDPOINT, GATEWAY_VERTEX_ENDPOINT_MODELS: 'support-tuned', GATEWAY_MODELS: '{"backends":{"support-tuned":"ai-studio"}}' },
    /GATEWAY_MODELS: support-tuned is routed to ai-studio but served by GATEWAY_VERTEX_ENDPOINT/,
  ],
])('a Vertex endpoint setting %j that cannot work is refused at start-up', (env, message) => {
  expect(() => loadConfig(env)).toThrow(message);
});

test('the endpoint\'s model names are a list in the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify({ vertexEndpoint: ENDPOINT, vertexEndpointModels: ['support-tuned', 'legal-tuned'] }));
  expect(loadConfig({ GATEWAY_CONFIG_FILE: file }).vertexEndpointModels).toEqual(['support-tuned', 'legal-tuned']);
});

test('a config file supplies settings by key; the environment wins; unknown keys are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify({ port: 9000, drainSeconds: 3 }));
  expect(loadConfig({ GATEWAY_CONFIG_FILE: file })).toMatchObject({ port: 9000, drainSeconds: 3 });
  expect(loadConfig({ GATEWAY_CONFIG_FILE: file, PORT: '9100' }).port).toBe(9100);
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  expect(() => loadConfig({ GATEWAY_CONFIG_FILE: file })).toThrow(/unknown setting\(s\) prot/);
  expect(() => loadConfig({ GATEWAY_CONFIG_FILE: join(dir, 'missing.json') })).toThrow(/cannot read/);
});

test('Redis from a mounted URL file and a CA file (GKE and Memorystore in-transit encryption)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'));
  writeFileSync(join(dir, 'url'), 'rediss://:auth@10.0.0.3:6378\n');
  writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  expect(loadConfig({ REDIS_URL_FILE: join(dir, 'url'), REDIS_CA_FILE: join(dir, 'ca.pem') })).toMatchObject({
    resolvedRedisUrl: 'rediss://:auth@10.0.0.3:6378',
    redisCa: expect.stringContaining('BEGIN CERTIFICATE'),
  });
  expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_URL_FILE: join(dir, 'url') }).resolvedRedisUrl).toBe('redis://127.0.0.1:6379');
  writeFileSync(join(dir, 'url'), 'http://nope');
  expect(() => loadConfig({ REDIS_URL_FILE: join(dir, 'url') })).toThrow(/REDIS_URL_FILE: the file must hold a valid redis/);
  // The scheme alone is not a URL: a port that is not a number is refused at start, not at first use.
  expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:abc' })).toThrow(/REDIS_URL: must be a valid URL/);
  expect(() => loadConfig({ REDIS_CA_FILE: join(dir, 'missing.pem') })).toThrow(/REDIS_CA_FILE: cannot read/);
});

test('the audit HMAC key: from the environment or a mounted file, never shorter than 32 characters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-audit-'));
  writeFileSync(join(dir, 'key'), `${'f'.repeat(64)}\n`);
  writeFileSync(join(dir, 'short'), 'abc\n');
  expect(loadConfig({}).resolvedAuditHmacKey).toBeUndefined();
  expect(loadConfig({ GATEWAY_AUDIT_HMAC_KEY_FILE: join(dir, 'key') }).resolvedAuditHmacKey).toBe('f'.repeat(64));
  expect(loadConfig({ GATEWAY_AUDIT_HMAC_KEY: 'e'.repeat(32), GATEWAY_AUDIT_HMAC_KEY_FILE: join(dir, 'key') }).resolvedAuditHmacKey).toBe('e'.repeat(32));
  expect(() => loadConfig({ GATEWAY_AUDIT_HMAC_KEY_FILE: join(dir, 'short') })).toThrow(/GATEWAY_AUDIT_HMAC_KEY_FILE: the key must be at least 32 characters/);
  expect(() => loadConfig({ GATEWAY_AUDIT_HMAC_KEY: 'short' })).toThrow(/GATEWAY_AUDIT_HMAC_KEY: must be at least 32 characters/);
  // A secret setting is never echoed in the error.
  expect(() => loadConfig({ GATEWAY_AUDIT_HMAC_KEY: 'short' })).not.toThrow(/"short"/);
  expect(() => loadConfig({ GATEWAY_AUDIT_HMAC_KEY_FILE: join(dir, 'missing') })).toThrow(/GATEWAY_AUDIT_HMAC_KEY_FILE: cannot read/);
});
