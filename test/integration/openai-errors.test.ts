/**
 * Every failure on the OpenAI-compatible routes reaches the `openai` SDK as the error class it raises for
 * OpenAI's own API: the object-form body (`{"error":{message,type,code,param}}`) with the matching status,
 * `retry-after` on 429s, a final SSE error event (no `[DONE]`) when a stream fails midway, and a client
 * that leaves mid-stream cancels the upstream call.
 */
import { createHash } from 'node:crypto';
import OpenAI, { type APIError } from 'openai';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { roomInMinuteWindow } from '../support/minute-window';

const MODEL = 'gemini-3.5-flash';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const ask = (client: OpenAI, model = MODEL, content = 'hello') => client.chat.completions.create({ model, messages: [{ role: 'user', content }] });
const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

function expectOpenAIError(error: unknown, cls: new (...args: never[]) => APIError, status: number, fields: Record<string, unknown> = {}): void {
  expect(error).toBeInstanceOf(cls);
  const e = error as APIError;
  expect(e.status).toBe(status);
  // The SDK keeps the body's error object; the gateway always sends message, type, code and param.
  const body = e.error as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof body.message).toBe('string');
  expect(typeof body.type).toBe('string');
  expect(body.code === null || typeof body.code === 'string').toBe(true);
  expect(body.param === null || typeof body.param === 'string').toBe(true);
  expect(e.message).toContain(String(status));
  expect(e).toMatchObject(fields);
}

describe('errors from the pipeline and the upstream', () => {
  let gateway: TestGateway;
  let client: OpenAI;

  beforeAll(async () => {
    // One attempt, no fallback, no cache: each test checks how one failure is reported.
    gateway = await startTestGateway({ GATEWAY_RETRY_MAX_ATTEMPTS: '1', GATEWAY_MODELS: '{}', GATEWAY_CACHE_TTL_SECONDS: '0', GATEWAY_UPSTREAM_IDLE_TIMEOUT_MS: '5000' });
    client = new OpenAI({ apiKey: 'team-key', baseURL: `${gateway.url}/v1beta/openai/`, maxRetries: 0 });
  });
  afterAll(() => gateway.stop());
  beforeEach(() => {
    gateway.emulator?.faults.clear();
    gateway.emulator?.resetStats();
  });

  test('400 BadRequestError: a request the translation rejects, with param and code', async () => {
    const error = await failure(client.chat.completions.create({ model: MODEL, messages: [] }));
    expectOpenAIError(error, OpenAI.BadRequestError, 400, { type: 'invalid_request_error', param: 'messages', code: 'invalid_value' });
    const missing = await failure(client.chat.completions.create({ model: MODEL } as never));
    expectOpenAIError(missing, OpenAI.BadRequestError, 400, { param: 'messages', code: 'missing_required_parameter' });
    expect(gateway.emulator?.requestCount).toBe(0);
  });

  test('400 BadRequestError: media Gemini would refuse names the OpenAI field that carried it', async () => {
    const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const withPart = (part: Record<string, unknown>) =>
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'What is this?' }, part] }] } as never);
    const bmp = await failure(withPart({ type: 'image_url', image_url: { url: `data:image/bmp;base64,${PNG}` } }));
    expectOpenAIError(bmp, OpenAI.BadRequestError, 400, { param: 'messages[1].content[1].image_url.url', code: 'invalid_image_url' });
    expect((bmp as APIError).message).toContain('"image/bmp" is not one Gemini accepts');
    const disguised = await failure(withPart({ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${PNG}` } }));
    expectOpenAIError(disguised, OpenAI.BadRequestError, 400, { param: 'messages[1].content[1].image_url.url', code: 'invalid_image_url' });
    const notPdf = await failure(withPart({ type: 'file', file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PNG}` } }));
    expectOpenAIError(notPdf, OpenAI.BadRequestError, 400, { param: 'messages[1].content[1].file.file_data', code: 'invalid_value' });
    expect(gateway.emulator?.requestCount).toBe(0);
  });

  test('400 BadRequestError: Google rejecting the request passes through in OpenAI shape', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 400, message: 'Request contains an invalid argument.', probability: 1 }]);
    expectOpenAIError(await failure(ask(client)), OpenAI.BadRequestError, 400, { code: 'invalid_argument', message: '400 Request contains an invalid argument.' });
  });

  test('404 NotFoundError: an unknown model, with a hint about the names the gateway serves', async () => {
    const error = await failure(ask(client, 'gpt-5-turbo'));
    expectOpenAIError(error, OpenAI.NotFoundError, 404, { code: 'model_not_found' });
    expect((error as Error).message).toContain('GATEWAY_OPENAI_MODELS');
    // A model name that could not be an id is refused before any upstream call.
    expectOpenAIError(await failure(ask(client, '../../v1beta/models/x')), OpenAI.NotFoundError, 404, { code: 'model_not_found', param: 'model' });
  });

  test('429 RateLimitError from Google, with retry-after from its RetryInfo', async () => {
    // Another model: the gateway holds back a model Google throttled, which would slow the other tests.
    gateway.emulator?.faults.set([{ kind: 'status', status: 429, retryDelaySeconds: 7, model: 'gemini-3.6-flash', probability: 1 }]);
    const error = await failure(ask(client, 'gemini-3.6-flash'));
    expectOpenAIError(error, OpenAI.RateLimitError, 429, { type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    const headers = (error as APIError).headers!;
    expect(headers.get('retry-after')).toBe('7');
    expect(headers.get('retry-after-ms')).toBe('7000');
  });

  test('503 and 500 InternalServerError', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 503, probability: 1 }]);
    expectOpenAIError(await failure(ask(client)), OpenAI.InternalServerError, 503, { type: 'server_error' });
    gateway.emulator?.faults.set([{ kind: 'status', status: 500, probability: 1 }]);
    expectOpenAIError(await failure(ask(client)), OpenAI.InternalServerError, 500, { type: 'server_error', code: 'internal_error' });
  });

  test('a stream that fails before its first chunk is a plain HTTP error', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 503, probability: 1 }]);
    const error = await failure(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'stream' }], stream: true }));
    expectOpenAIError(error, OpenAI.InternalServerError, 503);
  });

  test('embeddings and models errors are OpenAI-shaped too', async () => {
    gateway.emulator?.faults.set([{ kind: 'status', status: 503, probability: 1 }]);
    expectOpenAIError(await failure(client.embeddings.create({ model: 'gemini-embedding-001', input: 'x' })), OpenAI.InternalServerError, 503);
    gateway.emulator?.faults.clear();
    expectOpenAIError(await failure(client.embeddings.create({ model: 'gemini-embedding-001', input: [1, 2, 3] })), OpenAI.BadRequestError, 400, { param: 'input', code: 'unsupported_value' });
    expectOpenAIError(await failure(client.models.retrieve('no-such-model')), OpenAI.NotFoundError, 404);
  });

  test('a stream failing midway: the SDK gets the content so far, then raises; no [DONE] on the wire', async () => {
    gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 1, probability: 1 }]);
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'a story that breaks' }], stream: true });
    let content = '';
    const error = await failure(
      (async () => {
        for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
      })(),
    );
    expect(content.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as APIError).error).toMatchObject({ type: 'server_error', message: expect.any(String) });

    gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 503, afterChunks: 1, probability: 1 }]);
    const raw = await send(`${gateway.url}/v1beta/openai/chat/completions`, {
      body: JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: 'a story that breaks' }] }),
      headers: { authorization: 'Bearer team-key' },
    });
    expect(raw.status).toBe(200);
    expect(raw.text).not.toContain('[DONE]');
    const last = raw.text.trimEnd().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, ''))).toEqual({ error: { message: expect.any(String), type: 'server_error', code: expect.any(String), param: null } });
  });

  test('a stream the upstream ends before the answer is finished is an error, never a complete answer', async () => {
    gateway.emulator?.faults.set([{ kind: 'truncate', afterChunks: 2, probability: 1 }]);
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'an essay cut short' }], stream: true });
    const reasons: unknown[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of stream) reasons.push(chunk.choices[0]?.finish_reason);
      })(),
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(reasons.filter((r) => r != null)).toEqual([]);
  });

  test('the stream helper (finalChatCompletion) rejects on a midway failure too', async () => {
    gateway.emulator?.faults.set([{ kind: 'midstream-error', status: 500, afterChunks: 1, probability: 1 }]);
    const error = await failure(client.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'helper breaks' }] }).finalChatCompletion());
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  test('a client that leaves mid-stream cancels the upstream call', async () => {
    gateway.emulator?.faults.set([{ kind: 'stall', afterChunks: 1, probability: 1 }]);
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'I will leave early' }], stream: true });
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.role).toBe('assistant');
      break; // the SDK aborts the request when the loop is left
    }
    for (let i = 0; i < 100 && gateway.emulator?.abandonedCount === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(gateway.emulator?.abandonedCount).toBe(1);
    // The gateway keeps serving.
    gateway.emulator?.faults.clear();
    expect((await ask(client)).choices[0]!.finish_reason).toBe('stop');
  });
});

describe('errors from caller policy (keys mode)', () => {
  let gateway: TestGateway;
  const base = (): string => `${gateway.url}/v1beta/openai/`;

  beforeAll(async () => {
    gateway = await startTestGateway({
      GATEWAY_AUTH_MODE: 'keys',
      GATEWAY_QUEUE_TIMEOUT_MS: '0',
      GATEWAY_CACHE_TTL_SECONDS: '0',
      GATEWAY_CALLERS: JSON.stringify([
        { id: 'team-a', keySha256: [sha256('key-a')], models: ['gemini-3.5-flash', 'gemini-embedding-001'] },
        { id: 'team-slow', keySha256: [sha256('key-slow')], rpm: 1 },
        { id: 'team-embed', keySha256: [sha256('key-embed')], rpm: 1 },
        { id: 'team-broke', keySha256: [sha256('key-broke')], budget: { usd: 0.000001, period: 'day' } },
      ]),
    });
  });
  afterAll(() => gateway.stop());

  test('401 AuthenticationError: a key the gateway does not know', async () => {
    const client = new OpenAI({ apiKey: 'not-a-key', baseURL: base(), maxRetries: 0 });
    expectOpenAIError(await failure(ask(client)), OpenAI.AuthenticationError, 401, { code: 'invalid_api_key' });
    expectOpenAIError(await failure(client.models.list()), OpenAI.AuthenticationError, 401);
    expectOpenAIError(await failure(client.embeddings.create({ model: 'gemini-embedding-001', input: 'x' })), OpenAI.AuthenticationError, 401);
  });

  test('401 before the body is looked at, and a missing key says how to send one', async () => {
    const response = await send(`${base()}chat/completions`, { body: '{"not":"valid"}' });
    expect(response.status).toBe(401);
    expect(response.json()).toEqual({ error: { message: expect.stringContaining('Authorization: Bearer'), type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
  });

  test('a valid key works', async () => {
    const client = new OpenAI({ apiKey: 'key-a', baseURL: base(), maxRetries: 0 });
    expect((await ask(client)).choices[0]!.finish_reason).toBe('stop');
  });

  test('403 PermissionDeniedError: a model the caller may not use', async () => {
    const client = new OpenAI({ apiKey: 'key-a', baseURL: base(), maxRetries: 0 });
    expectOpenAIError(await failure(ask(client, 'gemini-3.8-flash')), OpenAI.PermissionDeniedError, 403, { type: 'permission_error', code: 'permission_denied' });
  });

  test('429 RateLimitError from the caller limit, with retry-after', async () => {
    const client = new OpenAI({ apiKey: 'key-slow', baseURL: base(), maxRetries: 0 });
    await roomInMinuteWindow();
    await ask(client, MODEL, 'first of the minute');
    const error = await failure(ask(client, MODEL, 'second of the minute'));
    expectOpenAIError(error, OpenAI.RateLimitError, 429, { type: 'rate_limit_error' });
    expect(Number((error as APIError).headers!.get('retry-after'))).toBeGreaterThan(0);
  });

  test('an embeddings request split into several Gemini batches counts once against the caller rpm', async () => {
    const client = new OpenAI({ apiKey: 'key-embed', baseURL: base(), maxRetries: 0 });
    const inputs = Array.from({ length: 250 }, (_, i) => `line ${i}`);
    await roomInMinuteWindow();
    gateway.emulator?.resetStats();
    const all = await client.embeddings.create({ model: 'gemini-embedding-001', input: inputs, dimensions: 4 });
    expect(all.data).toHaveLength(250);
    expect(gateway.emulator?.recent.filter((r) => r.path.endsWith(':batchEmbedContents'))).toHaveLength(3);
    // That was the minute's one request.
    expectOpenAIError(await failure(client.embeddings.create({ model: 'gemini-embedding-001', input: 'one more' })), OpenAI.RateLimitError, 429, { type: 'rate_limit_error' });
  });

  test('429 insufficient_quota for a spent budget, marked not to be retried', async () => {
    const client = new OpenAI({ apiKey: 'key-broke', baseURL: base(), maxRetries: 0 });
    const error = await failure(ask(client));
    expectOpenAIError(error, OpenAI.RateLimitError, 429, { type: 'insufficient_quota', code: 'insufficient_quota' });
    expect((error as APIError).headers!.get('x-should-retry')).toBe('false');
  });
});
