/**
 * The `openai` npm SDK reading this module's output, in process: the SDK's `fetch` is replaced by a
 * function that answers with what the translation produces, so the SDK's own parsing, stream helpers,
 * error classes and retry logic are exercised without a server. (The HTTP routes and their end-to-end
 * tests are built on top of this module separately.) The typed assignments also check, at compile time,
 * that the module's shapes fit the SDK's types.
 */
import OpenAI from 'openai';
import {
  ChatStreamTranslator,
  embeddingsToGemini,
  geminiToChat,
  geminiToEmbeddings,
  modelsToOpenAI,
  OPENAI_SSE_DONE,
  OpenAIRequestError,
  parseEmbeddingsRequest,
  sseFrame,
  toOpenAIError,
  type ChatStreamOutput,
  type GenerateContentResponse,
} from '../../../service/openai';
import { GoogleApiError, retryInfo } from '../../../service/protocol/errors';
import { geminiResponse } from './helpers';

const CTX = { model: 'gpt-4o-mini', created: 1_700_000_000 };

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An SDK client whose every request is answered by `answer` (recorded in `requests`). */
function client(answer: (body: Record<string, unknown>, url: string) => Reply, options: { maxRetries?: number } = {}) {
  const requests: Array<{ url: string; body: Record<string, unknown> | undefined; at: number }> = [];
  const fetch = (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const href = url instanceof Request ? url.url : url.toString();
    requests.push({ url: href, body, at: Date.now() });
    const reply = answer(body ?? {}, href);
    return Promise.resolve(new Response(reply.body, { status: reply.status, headers: reply.headers }));
  };
  const sdk = new OpenAI({ apiKey: 'team-key', baseURL: 'http://gateway.test/v1beta/openai/', maxRetries: options.maxRetries ?? 0, fetch });
  return { sdk, requests };
}

const json = (value: unknown): Reply => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
const errorReply = (error: unknown): Reply => {
  const e = toOpenAIError(error);
  return { status: e.status, headers: e.headers, body: JSON.stringify(e.body) };
};

function sse(chunks: readonly unknown[], end = true): Reply {
  const translator = new ChatStreamTranslator({ ...CTX, includeUsage: true });
  const outputs: ChatStreamOutput[] = [...chunks.flatMap((c) => translator.push(c)), ...translator.finish()];
  const text = outputs.map(sseFrame).join('') + (end && !outputs.some((o) => o.kind === 'error') ? OPENAI_SSE_DONE : '');
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, body: text };
}

const toolAnswer = geminiResponse([
  { text: 'Checking both.' },
  { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnbmF0dXJl' },
  { functionCall: { name: 'get_weather', args: { city: 'Rome', units: { c: true } } } },
]);
const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather?' }];

test('types: the module’s objects fit the SDK’s types', () => {
  const completion: OpenAI.Chat.ChatCompletion = geminiToChat(toolAnswer, CTX);
  const translator = new ChatStreamTranslator(CTX);
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = translator.push(toolAnswer).flatMap((o) => (o.kind === 'chunk' ? [o.chunk] : []));
  const embeddings: OpenAI.CreateEmbeddingResponse = geminiToEmbeddings(
    [{ embeddings: [{ values: [1] }] }],
    embeddingsToGemini(parseEmbeddingsRequest({ model: 'm', input: 'a' })),
    { model: 'm' },
  ) as OpenAI.CreateEmbeddingResponse;
  const model: OpenAI.Model | undefined = modelsToOpenAI({ models: [{ name: 'models/x' }] }, { created: 1 }).data[0];
  expect([completion, chunks, embeddings, model].every(Boolean)).toBe(true);
});

test('unary: the SDK parses the translated completion unchanged', async () => {
  const { sdk, requests } = client(() => json(geminiToChat(toolAnswer, CTX)));
  const completion = await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
  expect(requests[0]!.url).toBe('http://gateway.test/v1beta/openai/chat/completions');
  expect(completion).toEqual(geminiToChat(toolAnswer, CTX));
});

test('streaming: the SDK’s stream helper reassembles the same tool calls and content as the unary translation', async () => {
  const chunks = [
    { ...toolAnswer, candidates: [{ content: { parts: [{ text: 'Checking ' }] } }] },
    { ...toolAnswer, candidates: [{ content: { parts: [{ text: 'both.' }] } }] },
    { ...toolAnswer, candidates: [{ content: { parts: toolAnswer.candidates![0]!.content!.parts!.slice(1, 2) } }] },
    { ...toolAnswer, candidates: [{ content: { parts: toolAnswer.candidates![0]!.content!.parts!.slice(2) }, finishReason: 'STOP' }] },
  ] as GenerateContentResponse[];
  const { sdk } = client(() => sse(chunks));
  const stream = sdk.chat.completions.stream({ model: 'gpt-4o-mini', messages: MESSAGES, stream_options: { include_usage: true } });
  const final = await stream.finalChatCompletion();
  const unary = geminiToChat(toolAnswer, CTX);
  expect(final.choices[0]!.message.content).toBe(unary.choices[0]!.message.content);
  expect(final.choices[0]!.message.tool_calls).toEqual(unary.choices[0]!.message.tool_calls);
  expect(final.choices[0]!.finish_reason).toBe('tool_calls');
  expect(final.usage).toEqual(unary.usage);
});

test('streaming: plain iteration sees role first, deltas, finish, the usage chunk, then [DONE] ends it', async () => {
  const { sdk } = client(() => sse([geminiResponse([{ text: 'Hello' }])]));
  const seen: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const chunk of await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } })) {
    seen.push(chunk);
  }
  expect(seen.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason ?? null, c.usage?.total_tokens ?? null])).toEqual([
    [{ role: 'assistant', content: 'Hello' }, null, null],
    [{}, 'stop', null],
    [undefined, null, 15],
  ]);
});

test('streaming: a Gemini mid-stream error surfaces as an SDK APIError with the message', async () => {
  const { sdk } = client(() => sse([geminiResponse([{ text: 'partial' }]), { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }]));
  const received: string[] = [];
  const consume = async () => {
    for await (const chunk of await sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })) received.push(chunk.choices[0]?.delta.content ?? '');
  };
  await expect(consume()).rejects.toMatchObject({ constructor: OpenAI.APIError, message: 'The model is overloaded.', code: 'overloaded', type: 'server_error' });
  expect(received).toEqual(['partial']);
});

test.each([
  [new GoogleApiError(400, 'Invalid argument.'), OpenAI.BadRequestError],
  [new GoogleApiError(400, 'API key not valid.', { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] }), OpenAI.AuthenticationError],
  [new GoogleApiError(403, 'Denied.'), OpenAI.PermissionDeniedError],
  [new GoogleApiError(404, 'models/x is not found.'), OpenAI.NotFoundError],
  [new GoogleApiError(409, 'Conflict.'), OpenAI.ConflictError],
  [new GoogleApiError(422, 'Unprocessable.'), OpenAI.UnprocessableEntityError],
  [new GoogleApiError(429, 'Slow down.'), OpenAI.RateLimitError],
  [new GoogleApiError(500, 'Internal.'), OpenAI.InternalServerError],
  [new GoogleApiError(503, 'The model is overloaded.'), OpenAI.InternalServerError],
])('Google %j → the SDK raises its matching class', async (error, ErrorClass) => {
  const { sdk } = client(() => errorReply(error));
  const translated = toOpenAIError(error);
  await expect(sdk.chat.completions.create({ model: 'm', messages: MESSAGES })).rejects.toMatchObject({
    constructor: ErrorClass,
    status: translated.status,
    message: `${translated.status} ${error.message}`,
    code: translated.body.error.code,
    type: translated.body.error.type,
    param: null,
  });
});

test('a request error names the param for the SDK', async () => {
  const { sdk } = client(() => errorReply(new OpenAIRequestError('Bad', { param: 'messages[0].role', code: 'invalid_value' })));
  await expect(sdk.chat.completions.create({ model: 'm', messages: MESSAGES })).rejects.toMatchObject({ constructor: OpenAI.BadRequestError, param: 'messages[0].role' });
});

test('429 with RetryInfo: the SDK waits as told and retries', async () => {
  let attempts = 0;
  const { sdk, requests } = client(
    () => (++attempts === 1 ? errorReply(new GoogleApiError(429, 'Slow down.', { details: [retryInfo(0.2)] })) : json(geminiToChat(geminiResponse([{ text: 'ok' }]), CTX))),
    { maxRetries: 2 },
  );
  const completion = await sdk.chat.completions.create({ model: 'm', messages: MESSAGES });
  expect(completion.choices[0]!.message.content).toBe('ok');
  expect(requests).toHaveLength(2);
  expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(180);
});

test('429 for a spent budget (insufficient_quota): the SDK does not retry', async () => {
  const { sdk, requests } = client(
    () => errorReply(new GoogleApiError(429, 'Budget spent.', { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'BUDGET_EXCEEDED' }] })),
    { maxRetries: 2 },
  );
  await expect(sdk.chat.completions.create({ model: 'm', messages: MESSAGES })).rejects.toMatchObject({ constructor: OpenAI.RateLimitError, code: 'insufficient_quota' });
  expect(requests).toHaveLength(1);
});

test('embeddings: the SDK’s default base64 request decodes back to the Gemini floats', async () => {
  const values = [0.25, -0.5, 0.125];
  const { sdk, requests } = client((body) => {
    const call = embeddingsToGemini(parseEmbeddingsRequest(body));
    return json(geminiToEmbeddings([{ embeddings: call.inputs.map(() => ({ values })) }], call, { model: String(body.model) }));
  });
  const result = await sdk.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
  expect(requests[0]!.body!.encoding_format).toBe('base64');
  expect(result.data.map((d) => d.embedding)).toEqual([values, values]);
  expect(result.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
});

test('models: the SDK pages through the translated list', async () => {
  const { sdk } = client(() => json(modelsToOpenAI({ models: [{ name: 'models/gemini-3.8-flash' }, { name: 'models/gemini-embedding-001' }] }, { created: 1 })));
  const ids: string[] = [];
  for await (const model of sdk.models.list()) ids.push(model.id);
  expect(ids).toEqual(['gemini-3.8-flash', 'gemini-embedding-001']);
});
