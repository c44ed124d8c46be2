/**
 * The thought-signature round trip Gemini 3 requires for multi-turn function calling: a signature Gemini
 * put on a function call comes back on that same call, byte for byte, after a trip through an OpenAI
 * client, whether the client echoes the assistant message as-is, rebuilds it from stream deltas, or
 * carries the signature in Google's `extra_content` field.
 */
import { ChatStreamTranslator, chatToGemini, geminiToChat, parseChatRequest, type ChatCompletion } from '../../../service/openai';
import { THOUGHT_SEPARATOR, thoughtSignatureFromId, toolCallId } from '../../../service/openai/tool-call-ids';
import { chunksOf, geminiResponse, reassemble, recordedGenerations } from './helpers';

const CTX = { model: 'gemini-3.8-flash', created: 1 };
// Real signatures are opaque base64 of a few hundred bytes; this one has every base64 character class.
const SIG_A = 'CiQB4/H/Xl+h+aLYnOZ1ohAD1DHueyGVbMcB+KH8NFIlcuYH9uEKZgHj8f9em5Qoz6iAGwQVSw7Dam8vzVJty8zXkssgJBEm5axOzh4SWa95A5YnwQ==';

/** What an OpenAI client sends next: the history, the assistant message it got, one tool result per call. */
function nextTurn(completion: ChatCompletion): unknown {
  const message = completion.choices[0]!.message;
  return {
    model: 'gemini-3.8-flash',
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      message,
      ...message.tool_calls!.map((call, i) => ({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ tempC: 18 + i }) })),
    ],
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
  };
}

const answer = geminiResponse([
  { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SIG_A },
  { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
]);

const expectedModelTurn = {
  role: 'model',
  parts: [
    { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: SIG_A },
    { functionCall: { name: 'get_weather', args: { city: 'Rome' } } },
  ],
};

test('the id codec: the signature rides after a fixed separator, ids without one carry nothing', () => {
  const id = toolCallId('resp', 0, 0, SIG_A);
  expect(id.startsWith('call_')).toBe(true);
  expect(id.indexOf(THOUGHT_SEPARATOR)).toBe(id.indexOf('__'));
  expect(thoughtSignatureFromId(id)).toBe(SIG_A);
  expect(thoughtSignatureFromId(toolCallId('resp', 0, 0))).toBeUndefined();
  expect(thoughtSignatureFromId('call_abc123')).toBeUndefined();
  expect(thoughtSignatureFromId(`call_x${THOUGHT_SEPARATOR}`)).toBeUndefined();
  // A signature containing the separator itself still decodes: the split is at the first occurrence.
  expect(thoughtSignatureFromId(toolCallId('r', 0, 0, `a${THOUGHT_SEPARATOR}b`))).toBe(`a${THOUGHT_SEPARATOR}b`);
});

test('unary: the signature returns on the first call only, exactly as Gemini sent it', () => {
  const { body } = chatToGemini(parseChatRequest(nextTurn(geminiToChat(answer, CTX))));
  expect(body.contents).toEqual([
    { role: 'user', parts: [{ text: 'Weather in Paris and Rome?' }] },
    expectedModelTurn,
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { tempC: 18 } } },
        { functionResponse: { name: 'get_weather', response: { tempC: 19 } } },
      ],
    },
  ]);
});

test('streaming: the assistant message rebuilt from deltas round-trips the same way', () => {
  const translator = new ChatStreamTranslator(CTX);
  const chunks = chunksOf([
    ...translator.push({ ...answer, candidates: [{ content: { parts: [answer.candidates![0]!.content!.parts![0]!] } }] }),
    ...translator.push({ ...answer, candidates: [{ content: { parts: [answer.candidates![0]!.content!.parts![1]!] }, finishReason: 'STOP' }] }),
    ...translator.finish(),
  ]);
  const { body } = chatToGemini(parseChatRequest(nextTurn(reassemble(chunks))));
  expect(body.contents[1]).toEqual(expectedModelTurn);
});

test("Google's extra_content.google.thought_signature is read too (clients written for Google's endpoint)", () => {
  const { body } = chatToGemini(
    parseChatRequest({
      model: 'gemini-3.8-flash',
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'function-call-123', type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { google: { thought_signature: 'R09PRw==' } } }],
        },
        { role: 'tool', tool_call_id: 'function-call-123', content: 'ok' },
      ],
    }),
  );
  expect(body.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'f', args: {} }, thoughtSignature: 'R09PRw==' }] });
});

test('extra_content wins over the id when both carry a signature', () => {
  const id = toolCallId('r', 0, 0, 'RlJPTUlE');
  const { body } = chatToGemini(
    parseChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' }, extra_content: { google: { thought_signature: 'RVhUUkE=' } } }] },
        { role: 'tool', tool_call_id: id, content: 'ok' },
      ],
    }),
  );
  expect(body.contents[1]!.parts![0]!.thoughtSignature).toBe('RVhUUkE=');
});

test('tool calls made elsewhere (plain OpenAI ids) get no signature (lossy: Gemini 3 may reject such a history)', () => {
  const { body } = chatToGemini(
    parseChatRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_abc', content: 'ok' },
      ],
    }),
  );
  expect(body.contents[1]).toEqual({ role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] });
});

test('every recorded function call with a signature survives the round trip', () => {
  let checked = 0;
  for (const recording of recordedGenerations().filter((g) => !g.stream)) {
    const response = recording.segments[0] as Parameters<typeof geminiToChat>[0];
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    if (!parts.some((p) => p.functionCall && p.thoughtSignature)) continue;
    const message = geminiToChat(response, CTX).choices[0]!.message;
    const { body } = chatToGemini(
      parseChatRequest({
        model: 'm',
        messages: [
          { role: 'user', content: 'x' },
          message,
          ...message.tool_calls!.map((c) => ({ role: 'tool', tool_call_id: c.id, content: 'ok' })),
        ],
      }),
    );
    const sent = body.contents[1]!.parts!;
    const original = parts.filter((p) => p.functionCall);
    expect(sent.map((p) => [p.functionCall, p.thoughtSignature])).toEqual(original.map((p) => [{ name: p.functionCall!.name, args: p.functionCall!.args ?? {} }, p.thoughtSignature]));
    checked++;
  }
  expect(checked).toBeGreaterThanOrEqual(5);
});
