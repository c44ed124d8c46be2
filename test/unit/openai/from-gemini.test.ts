/**
 * Gemini response → OpenAI chat.completion: ids, text, thoughts, tool calls, finish reasons, blocked
 * prompts and usage, asserted as whole objects.
 */
import { geminiToChat, mapFinishReason, usageFrom, type ChatResponseContext } from '../../../service/openai';
import { toolCallId } from '../../../service/openai/tool-call-ids';
import { geminiResponse } from './helpers';

const CTX: ChatResponseContext = { model: 'my-alias', created: 1_700_000_000 };
const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };

test('a text answer: id from responseId, model as asked, created from the clock, modelVersion as fingerprint', () => {
  expect(geminiToChat(geminiResponse([{ text: 'Hello ' }, { text: 'world.' }]), CTX)).toEqual({
    id: 'chatcmpl-resp-1',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'my-alias',
    system_fingerprint: 'gemini-2.5-flash',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello world.', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: USAGE,
  });
});

test('thought parts are kept out of content and exposed as reasoning_content (unless disabled)', () => {
  const response = geminiResponse([{ text: 'Let me think. ', thought: true }, { text: 'Still thinking.', thought: true }, { text: 'Answer.' }]);
  expect(geminiToChat(response, CTX).choices[0]!.message).toEqual({
    role: 'assistant',
    content: 'Answer.',
    refusal: null,
    reasoning_content: 'Let me think. Still thinking.',
  });
  expect(geminiToChat(response, { ...CTX, exposeReasoning: false }).choices[0]!.message).toEqual({ role: 'assistant', content: 'Answer.', refusal: null });
});

test('function calls become tool_calls with deterministic ids; content null; finish_reason tool_calls', () => {
  const response = geminiResponse([
    { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnMQ==' },
    { functionCall: { name: 'get_time' } },
  ]);
  const completion = geminiToChat(response, CTX);
  expect(completion.choices).toEqual([
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          { id: toolCallId('resp-1', 0, 0, 'c2lnMQ=='), type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: toolCallId('resp-1', 0, 1), type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ]);
  expect(completion.choices[0]!.message.tool_calls![1]!.id).toMatch(/^call_[0-9a-f]{12}_0_1$/);
  expect(geminiToChat(response, CTX)).toEqual(completion);
});

test('text alongside function calls is kept', () => {
  const message = geminiToChat(geminiResponse([{ text: 'Checking.' }, { functionCall: { name: 'f', args: {} } }]), CTX).choices[0]!.message;
  expect(message.content).toBe('Checking.');
  expect(message.tool_calls).toHaveLength(1);
});

test('parts with no Chat Completions field (image output, code execution, function responses) are dropped; no parts → empty content', () => {
  const response = geminiResponse([
    { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
    { executableCode: { language: 'PYTHON', code: 'print(1)' } },
    { functionResponse: { name: 'f', response: {} } },
    { text: 'done' },
  ]);
  expect(geminiToChat(response, CTX).choices[0]!.message).toEqual({ role: 'assistant', content: 'done', refusal: null });
  expect(geminiToChat(geminiResponse([]), CTX).choices[0]!.message).toEqual({ role: 'assistant', content: '', refusal: null });
  expect(geminiToChat({ candidates: [{ finishReason: 'MAX_TOKENS' }] }, CTX).choices[0]).toEqual({
    index: 0,
    message: { role: 'assistant', content: '', refusal: null },
    finish_reason: 'length',
    logprobs: null,
  });
});

test.each([
  ['STOP', false, 'stop'],
  ['STOP', true, 'tool_calls'],
  [undefined, false, 'stop'],
  ['MAX_TOKENS', false, 'length'],
  ['MAX_TOKENS', true, 'length'],
  ['SAFETY', false, 'content_filter'],
  ['RECITATION', false, 'content_filter'],
  ['BLOCKLIST', false, 'content_filter'],
  ['PROHIBITED_CONTENT', false, 'content_filter'],
  ['SPII', false, 'content_filter'],
  ['IMAGE_SAFETY', false, 'content_filter'],
  ['LANGUAGE', false, 'stop'],
  ['OTHER', false, 'stop'],
  ['MALFORMED_FUNCTION_CALL', false, 'stop'],
  ['SOMETHING_NEW', false, 'stop'],
] as const)('finish reason %s (function calls: %s) → %s', (reason, calls, expected) => {
  expect(mapFinishReason(reason, calls)).toBe(expected);
  const parts = calls ? [{ functionCall: { name: 'f' } }] : [{ text: 'x' }];
  expect(geminiToChat(geminiResponse(parts, {}, { finishReason: reason }), CTX).choices[0]!.finish_reason).toBe(expected);
});

test('a blocked prompt (promptFeedback.blockReason, no candidates) → one content_filter choice with empty content', () => {
  const completion = geminiToChat(
    { promptFeedback: { blockReason: 'SAFETY', safetyRatings: [] }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 }, responseId: 'r' },
    CTX,
  );
  expect(completion).toEqual({
    id: 'chatcmpl-r',
    object: 'chat.completion',
    created: CTX.created,
    model: 'my-alias',
    choices: [{ index: 0, message: { role: 'assistant', content: '', refusal: null }, finish_reason: 'content_filter', logprobs: null }],
    usage: { ...USAGE, prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 },
  });
});

test('an empty response ({}) still gives a valid completion; the fallback id stands in for responseId', () => {
  expect(geminiToChat({}, { ...CTX, fallbackId: 'req-9' })).toEqual({
    id: 'chatcmpl-req-9',
    object: 'chat.completion',
    created: CTX.created,
    model: 'my-alias',
    choices: [{ index: 0, message: { role: 'assistant', content: '', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { ...USAGE, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  });
});

test('several candidates (n > 1) become choices ordered by index, each with its own tool call ids', () => {
  const completion = geminiToChat(
    {
      responseId: 'r',
      candidates: [
        { index: 1, content: { parts: [{ functionCall: { name: 'f' } }] }, finishReason: 'STOP' },
        { index: 0, content: { parts: [{ text: 'zero' }] }, finishReason: 'MAX_TOKENS' },
      ],
    },
    CTX,
  );
  expect(completion.choices.map((c) => [c.index, c.finish_reason])).toEqual([
    [0, 'length'],
    [1, 'tool_calls'],
  ]);
  expect(completion.choices[1]!.message.tool_calls![0]!.id).toBe(toolCallId('r', 1, 0));
});

describe('usage', () => {
  test('prompt includes tool-use prompt tokens; completion includes thoughts; cached and reasoning details', () => {
    expect(
      usageFrom({
        promptTokenCount: 1844,
        candidatesTokenCount: 432,
        thoughtsTokenCount: 91,
        toolUsePromptTokenCount: 1934,
        cachedContentTokenCount: 901,
        totalTokenCount: 4301,
      }),
    ).toEqual({
      prompt_tokens: 3778,
      completion_tokens: 523,
      total_tokens: 4301,
      prompt_tokens_details: { cached_tokens: 901 },
      completion_tokens_details: { reasoning_tokens: 91 },
    });
  });

  test('missing or nonsense counts read as zero', () => {
    expect(usageFrom(undefined)).toEqual({ ...USAGE, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(usageFrom({ promptTokenCount: -3, candidatesTokenCount: Number.NaN, thoughtsTokenCount: '7' as unknown as number })).toEqual({
      ...USAGE,
      prompt_tokens: 0,
      completion_tokens: 0,
      total_tokens: 0,
    });
  });
});

test('hostile response shapes do not throw', () => {
  const odd = [
    { candidates: null },
    { candidates: [null, 5, 'x'] },
    { candidates: [{ content: { parts: 'nope' } }] },
    { candidates: [{ content: { parts: [null, 1, { functionCall: null }, { functionCall: { name: 5 } }, { text: 5 }] } }] },
    { candidates: [{ index: -1, content: null }] },
    { usageMetadata: null, promptFeedback: null },
  ];
  for (const response of odd) expect(() => geminiToChat(response as never, CTX)).not.toThrow();
});
