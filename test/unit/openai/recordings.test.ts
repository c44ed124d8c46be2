/**
 * Property-like checks over real Google traffic (shared/fixtures/gemini-recordings, beside the repository): every recorded
 * answer translates without throwing, usage adds up to Gemini's own total, thought parts never leak into
 * content, every function call becomes a tool call carrying its signature, and every recorded stream
 * reassembles into exactly what the unary translation of the merged stream gives.
 */
import { ChatStreamTranslator, geminiToChat, type GenerateContentResponse } from '../../../service/openai';
import { thoughtSignatureFromId } from '../../../service/openai/tool-call-ids';
import { chunksOf, mergeStream, reassemble, recordedGenerations } from './helpers';

const CTX = { model: 'gpt-4o-mini', created: 1_700_000_000, fallbackId: 'req' };
const generations = recordedGenerations();
const named = generations.map((g, i) => ({ ...g, name: `#${i} ${g.file}` }));
const unary = named.filter((g) => !g.stream).map((g) => [g.name, g.segments[0] as GenerateContentResponse] as const);
const streams = named.filter((g) => g.stream).map((g) => [g.name, g.segments as GenerateContentResponse[]] as const);

test('the recordings hold both kinds of traffic', () => {
  expect(unary.length).toBeGreaterThan(20);
  expect(streams.length).toBeGreaterThan(15);
});

describe.each([...unary, ...streams.map(([file, chunks]) => [`${file} (merged stream)`, mergeStream(chunks)] as const)])('%s', (_file, response) => {
  test('translates; usage adds up; thoughts stay out of content; every call is a tool call with its signature', () => {
    const r = response;
    const completion = geminiToChat(r, CTX);
    const u = completion.usage;
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    const meta = r.usageMetadata;
    if (meta?.totalTokenCount !== undefined) expect(u.total_tokens).toBe(meta.totalTokenCount);
    expect(u.completion_tokens_details.reasoning_tokens).toBe(meta?.thoughtsTokenCount ?? 0);
    expect(u.prompt_tokens_details.cached_tokens).toBe(meta?.cachedContentTokenCount ?? 0);

    for (const [position, candidate] of (r.candidates ?? []).entries()) {
      const choice = completion.choices.find((c) => c.index === (candidate.index ?? position))!;
      const parts = candidate.content?.parts ?? [];
      const thoughtText = parts.filter((p) => p.thought === true && typeof p.text === 'string').map((p) => p.text).join('');
      const answerText = parts.filter((p) => p.thought !== true && typeof p.text === 'string').map((p) => p.text).join('');
      if (answerText.length > 0) expect(choice.message.content).toBe(answerText);
      if (thoughtText.length > 0) {
        expect(choice.message.reasoning_content).toBe(thoughtText);
        expect(choice.message.content ?? '').not.toContain(thoughtText);
      }
      const calls = parts.filter((p) => typeof p.functionCall?.name === 'string');
      expect(choice.message.tool_calls ?? []).toHaveLength(calls.length);
      calls.forEach((part, i) => {
        const toolCall = choice.message.tool_calls![i]!;
        expect(toolCall.function.name).toBe(part.functionCall!.name);
        expect(JSON.parse(toolCall.function.arguments)).toEqual(part.functionCall!.args ?? {});
        expect(thoughtSignatureFromId(toolCall.id)).toBe(part.thoughtSignature);
      });
      if (calls.length > 0 && candidate.finishReason === 'STOP') expect(choice.finish_reason).toBe('tool_calls');
    }
  });
});

/** Streams whose calls arrive as Gemini 3 partial arguments have no unary twin to compare with. */
const hasPartialArgs = (chunks: readonly GenerateContentResponse[]): boolean =>
  chunks.some((c) => (c.candidates ?? []).some((k) => (k.content?.parts ?? []).some((p) => p.functionCall !== undefined && p.functionCall.name === undefined)));

describe.each(streams.filter(([, chunks]) => !hasPartialArgs(chunks)))('%s', (_file, chunks) => {
  test.each([true, false])('streamed chunks reassemble into the unary translation (include_usage %s)', (includeUsage) => {
    const ctx = { ...CTX, includeUsage };
    const translator = new ChatStreamTranslator(ctx);
    const outputs = [...chunks.flatMap((c) => translator.push(c)), ...translator.finish()];
    const rebuilt = reassemble(chunksOf(outputs));
    const expected = geminiToChat(mergeStream(chunks), ctx);
    if (!includeUsage) rebuilt.usage = expected.usage; // no usage chunk to rebuild it from
    expect(rebuilt).toEqual(expected);
  });
});

test('every stream recording with partial arguments still yields whole tool calls', () => {
  const partial = streams.filter(([, chunks]) => hasPartialArgs(chunks));
  expect(partial.length).toBeGreaterThan(0);
  for (const [, chunks] of partial) {
    const translator = new ChatStreamTranslator(CTX);
    const rebuilt = reassemble(chunksOf([...chunks.flatMap((c) => translator.push(c)), ...translator.finish()]));
    for (const call of rebuilt.choices[0]!.message.tool_calls ?? []) expect(() => JSON.parse(call.function.arguments) as unknown).not.toThrow();
    expect(rebuilt.choices[0]!.message.tool_calls?.[0]?.function.arguments).toBe('{"greeting":"Hello","name":"jone smith"}');
  }
});
