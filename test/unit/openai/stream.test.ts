/**
 * The stream translator: role first, text and reasoning deltas, whole tool calls as indexed deltas, finish
 * reasons held to the end, the usage chunk, in-band errors, Gemini 3 streamed arguments, OpenAI SSE
 * framing; and streamed answers reassemble into exactly what the unary translation gives.
 */
import { ChatStreamTranslator, geminiToChat, OPENAI_SSE_DONE, sseEvent, sseFrame, type ChatStreamContext, type GenerateContentResponse } from '../../../service/openai';
import { applyPartialArgs, parseJsonPath } from '../../../service/openai/stream';
import { toolCallId } from '../../../service/openai/tool-call-ids';
import { chunksOf, mergeStream, reassemble } from './helpers';

const CTX: ChatStreamContext = { model: 'gpt-4o-mini', created: 1_700_000_000 };
const ENVELOPE = { id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', system_fingerprint: 'gemini-2.5-flash' };

const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, candidate: Record<string, unknown> = {}): GenerateContentResponse =>
  ({ candidates: [{ content: { role: 'model', parts }, index: 0, ...candidate }], responseId: 'r1', modelVersion: 'gemini-2.5-flash', ...extra }) as GenerateContentResponse;

function run(chunks: readonly unknown[], ctx: ChatStreamContext = CTX) {
  const translator = new ChatStreamTranslator(ctx);
  const outputs = chunks.flatMap((c) => translator.push(c));
  return [...outputs, ...translator.finish()];
}

test('text: role on the first delta, text deltas, then a closing chunk with finish_reason', () => {
  const outputs = run([
    chunk([{ text: 'Hello ' }]),
    chunk([{ text: 'world' }]),
    chunk([{ text: '.' }], { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 3, totalTokenCount: 6 } }, { finishReason: 'STOP' }),
  ]);
  expect(chunksOf(outputs)).toEqual([
    { ...ENVELOPE, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello ' }, finish_reason: null, logprobs: null }] },
    { ...ENVELOPE, choices: [{ index: 0, delta: { content: 'world' }, finish_reason: null, logprobs: null }] },
    { ...ENVELOPE, choices: [{ index: 0, delta: { content: '.' }, finish_reason: null, logprobs: null }] },
    { ...ENVELOPE, choices: [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }] },
  ]);
});

test('include_usage: usage null on every chunk, then a last chunk with choices [] and the totals', () => {
  const outputs = run(
    [
      chunk([{ text: 'Hi' }], { usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } }),
      chunk([{ text: '!' }], { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, thoughtsTokenCount: 4, cachedContentTokenCount: 1, totalTokenCount: 9 } }, { finishReason: 'STOP' }),
    ],
    { ...CTX, includeUsage: true },
  );
  const chunks = chunksOf(outputs);
  expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  expect(chunks[chunks.length - 1]).toEqual({
    ...ENVELOPE,
    choices: [],
    usage: { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 4 } },
  });
});

test('without include_usage no chunk has a usage field', () => {
  expect(chunksOf(run([chunk([{ text: 'x' }], { usageMetadata: { promptTokenCount: 1 } }, { finishReason: 'STOP' })])).every((c) => !('usage' in c))).toBe(true);
});

test('thought parts stream as reasoning_content deltas, never as content', () => {
  const outputs = run([chunk([{ text: 'Hmm.', thought: true }]), chunk([{ text: 'Answer' }], {}, { finishReason: 'STOP' })]);
  expect(chunksOf(outputs).map((c) => c.choices[0]?.delta)).toEqual([{ role: 'assistant', reasoning_content: 'Hmm.' }, { content: 'Answer' }, {}]);
  const hidden = run([chunk([{ text: 'Hmm.', thought: true }]), chunk([{ text: 'Answer' }], {}, { finishReason: 'STOP' })], { ...CTX, exposeReasoning: false });
  expect(chunksOf(hidden).map((c) => c.choices[0]?.delta)).toEqual([{ role: 'assistant', content: 'Answer' }, {}]);
});

test('tool calls: one whole delta per call with increasing index, id, type, name and the full arguments; finish_reason tool_calls', () => {
  const outputs = run([
    chunk([{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'U0lH' }]),
    chunk([{ functionCall: { name: 'get_weather', args: { city: 'Rome' } } }, { functionCall: { name: 'now' } }], {}, { finishReason: 'STOP' }),
  ]);
  expect(chunksOf(outputs).map((c) => c.choices[0])).toEqual([
    {
      index: 0,
      delta: {
        role: 'assistant',
        tool_calls: [{ index: 0, id: toolCallId('r1', 0, 0, 'U0lH'), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      finish_reason: null,
      logprobs: null,
    },
    {
      index: 0,
      delta: {
        tool_calls: [
          { index: 1, id: toolCallId('r1', 0, 1), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          { index: 2, id: toolCallId('r1', 0, 2), type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
      finish_reason: null,
      logprobs: null,
    },
    { index: 0, delta: {}, finish_reason: 'tool_calls', logprobs: null },
  ]);
});

test('a finish reason reported mid-stream (server-side tools) is held back: only the last chunk finishes', () => {
  const outputs = run([chunk([{ functionCall: { name: 'f', args: {} } }], {}, { finishReason: 'STOP' }), chunk([{ text: 'and then' }], {}, { finishReason: 'MAX_TOKENS' })]);
  const reasons = chunksOf(outputs).map((c) => c.choices[0]?.finish_reason);
  expect(reasons).toEqual([null, null, 'length']);
});

test('a blocked prompt streams one content_filter choice with empty content', () => {
  const outputs = run([{ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, responseId: 'r1', usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } }], {
    ...CTX,
    includeUsage: true,
  });
  const chunks = chunksOf(outputs);
  expect(chunks.map((c) => c.choices)).toEqual([[{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'content_filter', logprobs: null }], []]);
  expect(chunks[1]!.usage!.prompt_tokens).toBe(4);
});

test('an empty upstream stream still closes with a valid choice', () => {
  expect(chunksOf(run([], { ...CTX, fallbackId: 'req-1' }))).toEqual([
    { id: 'chatcmpl-req-1', object: 'chat.completion.chunk', created: CTX.created, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop', logprobs: null }] },
  ]);
});

test('several candidates stream as separate choices, each with its own role and finish', () => {
  const outputs = run([
    { responseId: 'r', candidates: [{ index: 0, content: { parts: [{ text: 'a' }] } }, { index: 1, content: { parts: [{ text: 'b' }] } }] },
    { responseId: 'r', candidates: [{ index: 1, content: { parts: [{ text: 'c' }] }, finishReason: 'SAFETY' }, { index: 0, content: { parts: [] }, finishReason: 'STOP' }] },
  ]);
  expect(chunksOf(outputs).map((c) => [c.choices[0]!.index, c.choices[0]!.delta, c.choices[0]!.finish_reason])).toEqual([
    [0, { role: 'assistant', content: 'a' }, null],
    [1, { role: 'assistant', content: 'b' }, null],
    [1, { content: 'c' }, null],
    [0, {}, 'stop'],
    [1, {}, 'content_filter'],
  ]);
});

test('a Gemini in-band error becomes an OpenAI error output; nothing follows it', () => {
  const translator = new ChatStreamTranslator(CTX);
  translator.push(chunk([{ text: 'partial' }]));
  const outputs = translator.push({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
  expect(outputs).toEqual([
    {
      kind: 'error',
      error: {
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: { error: { message: 'The model is overloaded. Please try again later.', type: 'server_error', code: 'overloaded', param: null } },
      },
    },
  ]);
  expect(translator.push(chunk([{ text: 'more' }]))).toEqual([]);
  expect(translator.finish()).toEqual([]);
  expect(sseFrame(outputs[0]!)).toBe(
    'data: {"error":{"message":"The model is overloaded. Please try again later.","type":"server_error","code":"overloaded","param":null}}\n\n',
  );
});

test('an in-band 429 with RetryInfo keeps its class and delay', () => {
  const [output] = new ChatStreamTranslator(CTX).push({
    error: { code: 429, message: 'Quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2.5s' }] },
  });
  expect(output).toMatchObject({ kind: 'error', error: { status: 429, headers: { 'retry-after': '3' }, body: { error: { code: 'rate_limit_exceeded' } } } });
});

test('junk pushed into the translator is ignored', () => {
  const translator = new ChatStreamTranslator(CTX);
  for (const junk of [null, 5, 'x', [], { candidates: 'no' }, { error: 'string' }]) expect(translator.push(junk)).toEqual([]);
});

test('a stream that ends before its answer gave a finish reason was cut short: finish raises, so the client gets an error', () => {
  const translator = new ChatStreamTranslator(CTX);
  translator.push(chunk([{ text: 'The first part of a long essay' }]));
  expect(() => translator.finish()).toThrow(expect.objectContaining({ httpStatus: 502, message: 'The upstream model ended the stream before the answer was complete.' }) as Error);
  // A blocked prompt has no finish reason either, and is a complete (content_filter) answer.
  const blocked = run([{ promptFeedback: { blockReason: 'SAFETY' }, responseId: 'r1', modelVersion: 'gemini-2.5-flash' }]);
  expect(chunksOf(blocked).at(-1)?.choices[0]?.finish_reason).toBe('content_filter');
});

test('OpenAI SSE framing: one-line JSON events and the [DONE] terminator', () => {
  expect(sseEvent({ a: 'line\nbreak' })).toBe('data: {"a":"line\\nbreak"}\n\n');
  expect(OPENAI_SSE_DONE).toBe('data: [DONE]\n\n');
  const [first] = run([chunk([{ text: 'x' }], {}, { finishReason: 'STOP' })]);
  expect(sseFrame(first!)).toBe(`data: ${JSON.stringify((first as { chunk: unknown }).chunk)}\n\n`);
});

describe('Gemini 3 streamed function-call arguments (streamFunctionCallArguments)', () => {
  test('json paths', () => {
    expect(parseJsonPath('$.a.b[2]')).toEqual(['a', 'b', 2]);
    expect(parseJsonPath("$['x y'].z")).toEqual(['x y', 'z']);
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('a.b')).toBeUndefined();
    expect(parseJsonPath('$.a..b')).toBeUndefined();
  });

  test('pieces concatenate per path; arrays and nesting are built; prototype keys are refused', () => {
    const args: Record<string, unknown> = {};
    applyPartialArgs(args, [
      { jsonPath: '$.greeting', stringValue: 'Hel', willContinue: true },
      { jsonPath: '$.greeting', stringValue: 'lo' },
      { jsonPath: '$.n', numberValue: 3 },
      { jsonPath: '$.list[0].ok', boolValue: true },
      { jsonPath: '$.gone', nullValue: 'NULL_VALUE' },
      { jsonPath: '$.__proto__.polluted', stringValue: 'yes' },
      { jsonPath: 'garbage', stringValue: 'x' },
    ]);
    expect(args).toEqual({ greeting: 'Hello', n: 3, list: [{ ok: true }], gone: null });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('the recorded gemini-3-pro-preview stream reassembles into one complete call', () => {
    const sig = 'CiQB';
    const base = { responseId: 'PQ0u', modelVersion: 'gemini-3-pro-preview' };
    const outputs = run([
      { ...base, candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'greet', willContinue: true }, thoughtSignature: sig }] } }] },
      { ...base, candidates: [{ content: { parts: [{ functionCall: { partialArgs: [{ jsonPath: '$.greeting', stringValue: 'Hello', willContinue: true }], willContinue: true } }] } }] },
      { ...base, candidates: [{ content: { parts: [{ functionCall: { partialArgs: [{ jsonPath: '$.greeting', stringValue: '' }], willContinue: true } }] } }] },
      { ...base, candidates: [{ content: { parts: [{ functionCall: { partialArgs: [{ jsonPath: '$.name', stringValue: 'jone smith', willContinue: true }], willContinue: true } }] } }] },
      { ...base, candidates: [{ content: { parts: [{ functionCall: {} }] }, finishReason: 'STOP' }] },
    ]);
    expect(reassemble(chunksOf(outputs)).choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: toolCallId('PQ0u', 0, 0, sig), type: 'function', function: { name: 'greet', arguments: '{"greeting":"Hello","name":"jone smith"}' } }],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
  });

  test('a call still open when the stream ends is emitted by finish', () => {
    const outputs = run([chunk([{ functionCall: { name: 'f', willContinue: true, partialArgs: [{ jsonPath: '$.a', numberValue: 1 }] } }], {}, { finishReason: 'STOP' })]);
    expect(reassemble(chunksOf(outputs)).choices[0]!.message.tool_calls).toEqual([{ id: toolCallId('r1', 0, 0), type: 'function', function: { name: 'f', arguments: '{"a":1}' } }]);
  });
});

describe('streamed and unary translations agree', () => {
  const cases: Array<[string, GenerateContentResponse[]]> = [
    ['text', [chunk([{ text: 'a' }]), chunk([{ text: 'b' }], { usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3 } }, { finishReason: 'STOP' })]],
    ['thoughts then text', [chunk([{ text: 't', thought: true }]), chunk([{ text: 'x', thoughtSignature: 'sig' }], {}, { finishReason: 'STOP' })]],
    [
      'parallel tool calls across chunks, signature on the first',
      [
        chunk([{ text: 'Let me check.' }]),
        chunk([{ functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'c2ln' }]),
        chunk([{ functionCall: { name: 'b', args: { y: [1, { z: null }] } } }], {}, { finishReason: 'STOP' }),
      ],
    ],
    ['max tokens', [chunk([{ text: 'cut' }], {}, { finishReason: 'MAX_TOKENS' })]],
    ['safety', [chunk([{ text: '' }], {}, { finishReason: 'SAFETY' })]],
    ['blocked prompt', [{ promptFeedback: { blockReason: 'SAFETY' }, responseId: 'r1' }]],
  ];

  test.each(cases)('%s', (_label, chunks) => {
    const ctx = { ...CTX, includeUsage: true };
    expect(reassemble(chunksOf(run(chunks, ctx)))).toEqual(geminiToChat(mergeStream(chunks), ctx));
  });
});
