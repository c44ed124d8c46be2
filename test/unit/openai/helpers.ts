/**
 * Shared test helpers: the recorded Google traffic, a Gemini stream merger (what a unary call would have
 * answered), and an OpenAI chunk reassembler that follows the `openai` SDK's accumulation rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletion, ChatCompletionChunk, ChatStreamOutput, GenerateContentResponse } from '../../../service/openai';
import { RECORDINGS_DIR } from '../../support/recordings';

export { RECORDINGS_DIR };

export interface RecordedInteraction {
  file: string;
  url: string;
  stream: boolean;
  status: number;
  request: unknown;
  /** The parsed body (unary) or each SSE event (stream). */
  segments: unknown[];
}

export function recordedInteractions(): RecordedInteraction[] {
  const out: RecordedInteraction[] = [];
  for (const file of readdirSync(RECORDINGS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const recording = JSON.parse(readFileSync(join(RECORDINGS_DIR, file), 'utf8')) as {
      interactions: Array<{ request: { url: string; bodySegments?: unknown[] }; response: { statusCode: number; bodySegments?: unknown[] } }>;
    };
    for (const interaction of recording.interactions) {
      out.push({
        file,
        url: interaction.request.url,
        stream: interaction.request.url.includes(':streamGenerateContent'),
        status: interaction.response.statusCode,
        request: interaction.request.bodySegments?.[0],
        segments: interaction.response.bodySegments ?? [],
      });
    }
  }
  return out;
}

/** The generateContent / streamGenerateContent interactions that answered 200. */
export function recordedGenerations(): RecordedInteraction[] {
  return recordedInteractions().filter((i) => i.status === 200 && /:(stream)?[gG]enerateContent/.test(i.url));
}

/** Merges stream chunks the way the SDKs aggregate them: parts concatenated per candidate, last finishReason and usage. */
export function mergeStream(chunks: readonly GenerateContentResponse[]): GenerateContentResponse {
  const merged: GenerateContentResponse = {};
  const candidates = new Map<number, { index: number; content: { role: string; parts: unknown[] }; finishReason?: string }>();
  for (const chunk of chunks) {
    merged.responseId ??= chunk.responseId;
    if (chunk.modelVersion !== undefined) merged.modelVersion = chunk.modelVersion;
    if (chunk.usageMetadata !== undefined) merged.usageMetadata = chunk.usageMetadata;
    if (chunk.promptFeedback !== undefined) merged.promptFeedback = chunk.promptFeedback;
    (chunk.candidates ?? []).forEach((candidate, position) => {
      const index = candidate.index ?? position;
      const slot = candidates.get(index) ?? { index, content: { role: 'model', parts: [] } };
      slot.content.parts.push(...(candidate.content?.parts ?? []));
      if (candidate.finishReason !== undefined) slot.finishReason = candidate.finishReason;
      candidates.set(index, slot);
    });
  }
  if (candidates.size > 0) merged.candidates = [...candidates.values()] as GenerateContentResponse['candidates'];
  return merged;
}

export function chunksOf(outputs: readonly ChatStreamOutput[]): ChatCompletionChunk[] {
  return outputs.map((o) => {
    if (o.kind !== 'chunk') throw new Error(`unexpected ${o.kind}`);
    return o.chunk;
  });
}

/**
 * Rebuilds a chat.completion from chunks as the `openai` SDK's ChatCompletionStream does: content
 * concatenated, tool calls merged by `index` (arguments concatenated), the last finish_reason, the usage
 * chunk's usage. `reasoning_content` is concatenated too (the SDK keeps only the last one; clients that
 * read it concatenate).
 */
export function reassemble(chunks: readonly ChatCompletionChunk[]): ChatCompletion {
  const first = chunks[0]!;
  const choices = new Map<number, ChatCompletion['choices'][number]>();
  let usage: ChatCompletion['usage'] | undefined;
  let fingerprint: string | undefined;
  for (const chunk of chunks) {
    expect(chunk.id).toBe(first.id);
    if (chunk.system_fingerprint !== undefined) fingerprint = chunk.system_fingerprint;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      const choice = choices.get(c.index) ?? { index: c.index, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'stop', logprobs: null };
      choices.set(c.index, choice);
      const m = choice.message;
      if (c.delta.content !== undefined) m.content = (m.content ?? '') + c.delta.content;
      if (c.delta.reasoning_content !== undefined) m.reasoning_content = (m.reasoning_content ?? '') + c.delta.reasoning_content;
      for (const call of c.delta.tool_calls ?? []) {
        m.tool_calls ??= [];
        const slot = (m.tool_calls[call.index] ??= { id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } });
        slot.function.arguments += call.function.arguments;
      }
      if (c.finish_reason !== null) choice.finish_reason = c.finish_reason;
    }
  }
  const completion: ChatCompletion = {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [...choices.values()].sort((a, b) => a.index - b.index),
    usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  };
  if (fingerprint !== undefined) completion.system_fingerprint = fingerprint;
  return completion;
}

/** A minimal Gemini response with one candidate. */
export function geminiResponse(parts: unknown[], extra: Record<string, unknown> = {}, candidate: Record<string, unknown> = {}): GenerateContentResponse {
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0, ...candidate }],
    responseId: 'resp-1',
    modelVersion: 'gemini-2.5-flash',
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
    ...extra,
  } as GenerateContentResponse;
}
