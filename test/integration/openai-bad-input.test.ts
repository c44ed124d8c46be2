/**
 * The bad-input standard of the Gemini routes, on the OpenAI-compatible routes: every malformed, mistyped
 * or hostile request gets an OpenAI-shaped 4xx (`{"error":{message,type,code,param}}`, JSON, never Google's
 * shape, HTML or a stack trace), nothing reaches the upstream, and the gateway keeps serving.
 */
import { send, type RawResponse } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MODEL = 'gemini-3.5-flash';
const USER = [{ role: 'user', content: 'hi' }];
const chat = (extra: Record<string, unknown>): Record<string, unknown> => ({ model: MODEL, messages: USER, ...extra });
const deep = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

let gateway: TestGateway;
let chatUrl: string;

beforeAll(async () => {
  gateway = await startTestGateway({ GATEWAY_MAX_BODY_BYTES: String(256 * 1024), GATEWAY_CACHE_TTL_SECONDS: '0' });
  chatUrl = `${gateway.url}/v1beta/openai/chat/completions`;
});
afterAll(() => gateway.stop());
beforeEach(() => gateway.emulator?.resetStats());
afterEach(async () => {
  // The gateway is still healthy and serving after every bad request.
  const good = await send(chatUrl, { body: JSON.stringify(chat({})) });
  expect(good.status).toBe(200);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

function expectOpenAIError(response: RawResponse, status: number): { message: string; type: string; code: string | null; param: string | null } {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json<{ error: { message: string; type: string; code: string | null; param: string | null } }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.message).not.toMatch(/\.ts:\d+|\bat \w+ \(|<html/i);
  expect(body.error.type).toBe(status === 403 ? 'permission_error' : 'invalid_request_error');
  return body.error;
}

type Case = [name: string, path: string, init: { method?: string; body?: string | Buffer; headers?: Record<string, string> }, status: number, param?: string | null];

const body = (value: unknown): { body: string } => ({ body: JSON.stringify(value) });

const CASES: Case[] = [
  // The body itself
  ['malformed JSON', 'chat/completions', { body: '{"model": "gemini-3.5-flash", "messages": [' }, 400, null],
  ['no body', 'chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' } }, 400, null],
  ['a JSON array', 'chat/completions', { body: '[1,2,3]' }, 400, null],
  ['a JSON string', 'chat/completions', { body: '"chat please"' }, 400, null],
  ['JSON null', 'chat/completions', { body: 'null' }, 400, null],
  ['a form body', 'chat/completions', { body: 'model=x&messages=y', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, null],
  ['text/plain', 'chat/completions', { body: JSON.stringify(chat({})), headers: { 'content-type': 'text/plain' } }, 415, null],
  ['gzip header on bytes that are not gzip', 'chat/completions', { body: 'not gzip at all', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 400],
  ['an unknown content encoding', 'chat/completions', { body: JSON.stringify(chat({})), headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-ish' } }, 415],
  ['a body over the size limit', 'chat/completions', body(chat({ messages: [{ role: 'user', content: 'x'.repeat(300 * 1024) }] })), 413],
  ['JSON nested 100 000 levels deep', 'chat/completions', { body: `{"model":"${MODEL}","messages":[{"role":"user","content":"x"}],"x":${deep(20_000)}}` }, 400, null],
  ['invalid UTF-8', 'chat/completions', { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }, 400],
  // Fields
  ['no messages', 'chat/completions', body({ model: MODEL }), 400, 'messages'],
  ['no model', 'chat/completions', body({ messages: USER }), 400, 'model'],
  ['model is a number', 'chat/completions', body(chat({ model: 42 })), 400, 'model'],
  ['model is empty', 'chat/completions', body(chat({ model: '' })), 400, 'model'],
  ['model is 10 000 characters', 'chat/completions', body(chat({ model: 'g'.repeat(10_000) })), 400, 'model'],
  ['model tries path traversal', 'chat/completions', body(chat({ model: '../../v1beta/models/gemini-3.5-flash' })), 404, 'model'],
  ['model smuggles a method', 'chat/completions', body(chat({ model: 'gemini-3.5-flash:streamGenerateContent' })), 404, 'model'],
  ['model with a query string', 'chat/completions', body(chat({ model: 'gemini-3.5-flash?key=stolen' })), 404, 'model'],
  ['model with a NUL byte', 'chat/completions', body(chat({ model: 'gemini-3.5-flash\u0000' })), 404, 'model'],
  ['model percent-encoded', 'chat/completions', body(chat({ model: 'gemini%2F..%2Fx' })), 404, 'model'],
  ['messages is a string', 'chat/completions', body(chat({ messages: 'hello' })), 400, 'messages'],
  ['messages is empty', 'chat/completions', body(chat({ messages: [] })), 400, 'messages'],
  ['a null message', 'chat/completions', body(chat({ messages: [null] })), 400, 'messages[0]'],
  ['an unknown role', 'chat/completions', body(chat({ messages: [{ role: 'wizard', content: 'x' }] })), 400, 'messages[0].role'],
  ['content is a number', 'chat/completions', body(chat({ messages: [{ role: 'user', content: 42 }] })), 400, 'messages[0].content'],
  ['an unknown content part', 'chat/completions', body(chat({ messages: [{ role: 'user', content: [{ type: 'video', video: {} }] }] })), 400],
  ['an image that is not base64', 'chat/completions', body(chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,!!!not base64!!!' } }] }] })), 400, 'messages[0].content[0].image_url.url'],
  ['a file:// image', 'chat/completions', body(chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] })), 400, 'messages[0].content[0].image_url.url'],
  ['a javascript: image', 'chat/completions', body(chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'javascript:alert(1)' } }] }] })), 400, 'messages[0].content[0].image_url.url'],
  ['a remote image (not allowed by default)', 'chat/completions', body(chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://169.254.169.254/latest/meta-data' } }] }] })), 400, 'messages[0].content[0].image_url.url'],
  ['an uploaded file id', 'chat/completions', body(chat({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] })), 400],
  ['temperature is a string', 'chat/completions', body(chat({ temperature: 'hot' })), 400, 'temperature'],
  ['temperature out of range', 'chat/completions', body(chat({ temperature: 5 })), 400, 'temperature'],
  ['top_p negative', 'chat/completions', body(chat({ top_p: -1 })), 400, 'top_p'],
  ['max_tokens negative', 'chat/completions', body(chat({ max_tokens: -5 })), 400, 'max_tokens'],
  ['max_tokens fractional', 'chat/completions', body(chat({ max_tokens: 1.5 })), 400, 'max_tokens'],
  ['n of 1000', 'chat/completions', body(chat({ n: 1000 })), 400, 'n'],
  ['seed beyond any number', 'chat/completions', { body: `{"model":"${MODEL}","messages":[{"role":"user","content":"x"}],"seed":1e400}` }, 400, 'seed'],
  ['ten stop sequences', 'chat/completions', body(chat({ stop: Array.from({ length: 10 }, (_, i) => `s${i}`) })), 400, 'stop'],
  ['stream is a string', 'chat/completions', body(chat({ stream: 'yes' })), 400, 'stream'],
  ['include_usage is a string', 'chat/completions', body(chat({ stream: true, stream_options: { include_usage: 'yes' } })), 400, 'stream_options.include_usage'],
  ['an unknown reasoning_effort', 'chat/completions', body(chat({ reasoning_effort: 'extreme' })), 400, 'reasoning_effort'],
  ['json_schema without a schema', 'chat/completions', body(chat({ response_format: { type: 'json_schema' } })), 400],
  ['tools is not an array', 'chat/completions', body(chat({ tools: 'all of them' })), 400, 'tools'],
  ['a tool name Gemini refuses', 'chat/completions', body(chat({ tools: [{ type: 'function', function: { name: 'bad name!' } }] })), 400],
  ['a non-function tool', 'chat/completions', body(chat({ tools: [{ type: 'code_interpreter' }] })), 400],
  ['tool_choice required without tools', 'chat/completions', body(chat({ tool_choice: 'required' })), 400, 'tool_choice'],
  ['tool_choice naming an undeclared function', 'chat/completions', body(chat({ tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } })), 400, 'tool_choice.function.name'],
  ['a tool result for an unknown call', 'chat/completions', body(chat({ messages: [...USER, { role: 'tool', tool_call_id: 'call_nope', content: 'x' }] })), 400],
  [
    'tool call arguments that are not JSON',
    'chat/completions',
    body(chat({ messages: [...USER, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{not json' } }] }] })),
    400,
    'messages[1].tool_calls[0].function.arguments',
  ],
  [
    'tool call arguments nested 200 levels',
    'chat/completions',
    body(chat({ messages: [...USER, { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: deep(200) } }] }] })),
    400,
    'messages[1].tool_calls[0].function.arguments',
  ],
  ['deprecated functions', 'chat/completions', body(chat({ functions: [{ name: 'f' }] })), 400, 'functions'],
  ['audio output', 'chat/completions', body(chat({ modalities: ['text', 'audio'] })), 400, 'modalities'],
  ['a thinking budget that is a string', 'chat/completions', body(chat({ extra_body: { google: { thinking_config: { thinking_budget: 'lots' } } } })), 400],
  ['__proto__ keys', 'chat/completions', { body: '{"__proto__":{"polluted":true},"model":"gemini-3.5-flash","messages":{"__proto__":{"polluted":true}}}' }, 400, 'messages'],
  ['constructor.prototype keys', 'chat/completions', { body: '{"constructor":{"prototype":{"polluted":true}},"model":"gemini-3.5-flash","messages":[{"role":"user","content":{"constructor":{"prototype":{"polluted":true}}}}]}' }, 400],
  // Embeddings
  ['embeddings: no input', 'embeddings', body({ model: 'gemini-embedding-001' }), 400, 'input'],
  ['embeddings: empty input list', 'embeddings', body({ model: 'gemini-embedding-001', input: [] }), 400, 'input'],
  ['embeddings: empty string', 'embeddings', body({ model: 'gemini-embedding-001', input: '' }), 400, 'input'],
  ['embeddings: token ids', 'embeddings', body({ model: 'gemini-embedding-001', input: [[1, 2, 3]] }), 400, 'input'],
  ['embeddings: 2049 inputs', 'embeddings', body({ model: 'gemini-embedding-001', input: Array.from({ length: 2049 }, () => 'x') }), 400, 'input'],
  ['embeddings: dimensions 0', 'embeddings', body({ model: 'gemini-embedding-001', input: 'x', dimensions: 0 }), 400, 'dimensions'],
  ['embeddings: an unknown encoding', 'embeddings', body({ model: 'gemini-embedding-001', input: 'x', encoding_format: 'hex' }), 400, 'encoding_format'],
  ['embeddings: malformed JSON', 'embeddings', { body: '{"input":' }, 400, null],
  // Paths and methods
  ['GET on chat/completions', 'chat/completions', { method: 'GET' }, 405, null],
  ['DELETE on models', 'models', { method: 'DELETE' }, 405, null],
  ['an endpoint the gateway does not serve', 'completions', body({ model: MODEL, prompt: 'x' }), 404, null],
  ['a model id with traversal', 'models/..%2F..%2Fsecrets', {}, 404],
];

describe.each([['/v1beta/openai/'], ['/v1/']])('under %s', (base) => {
  // Elsewhere under /v1/ is the Gemini surface (Google-shaped errors): only the OpenAI routes are checked there.
  const cases = base === '/v1/' ? CASES.filter(([, path]) => path === 'chat/completions' || path === 'embeddings') : CASES;
  // Each row is passed whole: jest would take a missing last column for a `done` callback.
  test.each(cases.map((row) => [row[0], row] as const))('%s', async (_name, [, path, init, status, param]) => {
    const headers = { authorization: 'Bearer team-key', ...(init.body !== undefined && !init.headers ? { 'content-type': 'application/json' } : {}), ...init.headers };
    const response = await send(`${gateway.url}${base}${path}`, { ...init, headers });
    const error = expectOpenAIError(response, status);
    if (param !== undefined) expect(error.param).toBe(param);
    // Nothing reached Gemini.
    expect(gateway.emulator?.requestCount).toBe(0);
  });
});

test('hostile field names are answered, and reported safely in the ignored-params header', async () => {
  for (const path of ['chat/completions', 'embeddings']) {
    const valid = path === 'embeddings' ? { model: 'gemini-embedding-001', input: 'x' } : chat({});
    const raw = JSON.stringify(valid).slice(0, -1) + ',"bad\\r\\nset-cookie: a=b\\u00e9\\u2028":1,"x":"' + 'y'.repeat(10) + '"}';
    const response = await send(`${gateway.url}/v1beta/openai/${path}`, { body: raw, headers: { authorization: 'Bearer k' } });
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['x-gateway-ignored-params']).toBe('bad??set-cookie: a=b??, x');
  }
});

test('the retired OpenAI function role is refused', async () => {
  const response = await send(chatUrl, { body: JSON.stringify(chat({ messages: [{ role: 'function', name: 'f', content: 'x' }] })), headers: { authorization: 'Bearer k' } });
  expectOpenAIError(response, 400);
});

test('many bad requests in parallel leave the gateway healthy', async () => {
  const bad = CASES.filter(([, path, , status]) => path === 'chat/completions' && status === 400).slice(0, 30);
  const responses = await Promise.all(bad.map(([, path, init]) => send(`${gateway.url}/v1beta/openai/${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: 'Bearer k', ...init.headers } })));
  for (const response of responses) expect(response.status).toBeGreaterThanOrEqual(400);
  for (const response of responses) expect(response.status).toBeLessThan(500);
});
