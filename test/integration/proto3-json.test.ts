/**
 * Google reads a body as proto3 JSON: fields by their proto names too (`inline_data`, `max_output_tokens`),
 * as its own REST samples send them; `null` for a field left out; numbers in strings. Through the gateway
 * such a request meets the same limits, budgets, media checks and cache as the one the SDKs send: it is
 * the same request.
 */
import { sha256Hex } from '../../service/pipeline/authenticate';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { expectGoogleError, postJson } from '../support/http';

const KEY = 'team-a-secret-key';
const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
let gateway: TestGateway;
let generate: string;

beforeAll(async () => {
  gateway = await startTestGateway({
    GATEWAY_AUTH_MODE: 'keys',
    GATEWAY_CALLERS: JSON.stringify([{ id: 'team-a', keySha256: [sha256Hex(KEY)], tpm: 20_000 }]),
  });
  generate = `${gateway.url}/v1beta/models/gemini-3.5-flash:generateContent`;
});
afterAll(() => gateway.stop());

const post = (body: unknown) => postJson(generate, body, { 'x-goog-api-key': KEY });
const text = (t: string) => [{ role: 'user', parts: [{ text: t }] }];

test('max_output_tokens is reserved against the limits as maxOutputTokens is', async () => {
  const camel = await post({ contents: text('long answer'), generationConfig: { maxOutputTokens: 65_536 } });
  const snake = await post({ contents: text('long answer'), generation_config: { max_output_tokens: 65_536 } });
  expect(camel.status).toBeGreaterThanOrEqual(400);
  expect({ status: snake.status, body: snake.json() }).toEqual({ status: camel.status, body: camel.json() });
});

test('inline_data and file_data meet the media checks that inlineData and fileData meet', async () => {
  const exe = Buffer.from('MZ this is not an image').toString('base64');
  expectGoogleError(await post({ contents: [{ parts: [{ inline_data: { mime_type: 'application/x-msdownload', data: exe } }] }] }), 400, 'INVALID_ARGUMENT');
  expectGoogleError(await post({ contents: [{ parts: [{ inline_data: { mime_type: 'image/png', data: exe } }] }] }), 400, 'INVALID_ARGUMENT');
  expectGoogleError(await post({ contents: [{ parts: [{ file_data: { mime_type: 'video/mp4', file_uri: 'ftp://example.com/v.mp4' } }] }] }), 400, 'INVALID_ARGUMENT');
});

test('a request in proto names is answered, and is the same request as in lowerCamelCase (one cache entry)', async () => {
  const snake = await post({ system_instruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Describe' }, { inline_data: { mime_type: 'image/png', data: PNG_1x1 } }] }] });
  expect(snake.status).toBe(200);
  expect(snake.headers['x-cache']).toBe('MISS');
  const camel = await post({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, contents: [{ role: 'user', parts: [{ text: 'Describe' }, { inlineData: { mimeType: 'image/png', data: PNG_1x1 } }] }] });
  expect(camel.headers['x-cache']).toBe('HIT');
  expect(camel.headers['x-cache-key']).toBe(snake.headers['x-cache-key']);
});

test('a field sent under both names is a 400 that names both', async () => {
  const response = await post({ contents: text('hi'), generationConfig: {}, generation_config: {} });
  expectGoogleError(response, 400, 'INVALID_ARGUMENT');
  expect(response.json<{ error: { message: string } }>().error.message).toBe('generation_config and generationConfig are the same field; send it once.');
});

test('a number sent as a string is reserved against the limits as the number is', async () => {
  const number = await post({ contents: text('long answer'), generationConfig: { maxOutputTokens: 65_536 } });
  const string = await post({ contents: text('long answer'), generationConfig: { maxOutputTokens: '65536' } });
  expect(number.status).toBeGreaterThanOrEqual(400);
  expect({ status: string.status, body: string.json() }).toEqual({ status: number.status, body: number.json() });
});

test('null fields and numbers in strings are answered, as the same request as without them (one cache entry)', async () => {
  const loose = await post({
    contents: [{ role: 'user', parts: [{ text: 'Say something short.', thought: null }] }],
    systemInstruction: null,
    tools: null,
    generationConfig: { temperature: '0.5', topK: null, maxOutputTokens: '64', thinkingConfig: { thinkingBudget: '0' } },
  });
  expect(loose.status).toBe(200);
  expect(loose.headers['x-cache']).toBe('MISS');
  const strict = await post({ contents: [{ role: 'user', parts: [{ text: 'Say something short.' }] }], generationConfig: { temperature: 0.5, maxOutputTokens: 64, thinkingConfig: { thinkingBudget: 0 } } });
  expect(strict.headers['x-cache']).toBe('HIT');
  expect(strict.headers['x-cache-key']).toBe(loose.headers['x-cache-key']);
});

test('a string that is not a number is still a 400 naming the field', async () => {
  const response = await post({ contents: text('hi'), generationConfig: { maxOutputTokens: 'lots' } });
  expectGoogleError(response, 400, 'INVALID_ARGUMENT');
  expect(response.json<{ error: { message: string } }>().error.message).toContain('GenerateContentRequest.generationConfig.maxOutputTokens');
});
