/**
 * Gemini `GenerateContentResponse` → OpenAI `chat.completion`. Pure: the response and a context (the model
 * name the caller asked for, the clock) in, the completion out. Never throws on a well-formed JSON object,
 * however odd (no candidates, no parts, unknown part kinds, unknown finish reasons): the property tests run
 * every recorded Google response through it.
 */
import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatToolCall,
  ChatUsage,
  FinishReason,
  GeminiCandidate,
  GeminiResponsePart,
  GeminiUsageMetadata,
  GenerateContentResponse,
} from './types';
import { candidateIndexOf } from '../protocol/stream-format';
import { toolCallId } from './tool-call-ids';

export interface ChatResponseContext {
  /** The model name the caller asked for (an alias stays an alias). */
  model: string;
  /** Unix seconds, from the caller's clock. */
  created: number;
  /** Stands in for `responseId` (completion id and tool call ids) when Gemini sends none: pass a request id. */
  fallbackId?: string;
  /** Expose thought parts as `message.reasoning_content` (default true; they only exist with include_thoughts). */
  exposeReasoning?: boolean;
}

const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/** STOP (and anything unlisted) → stop, or tool_calls when the candidate called functions; MAX_TOKENS → length; filters → content_filter. */
export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason !== undefined && CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);

/**
 * prompt = promptTokenCount + toolUsePromptTokenCount; completion = candidatesTokenCount + thoughtsTokenCount
 * (Gemini bills thoughts as output); total = prompt + completion, which equals Gemini's totalTokenCount.
 */
export function usageFrom(metadata: GeminiUsageMetadata | undefined): ChatUsage {
  const prompt = count(metadata?.promptTokenCount) + count(metadata?.toolUsePromptTokenCount);
  const reasoning = count(metadata?.thoughtsTokenCount);
  const completion = count(metadata?.candidatesTokenCount) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: count(metadata?.cachedContentTokenCount) },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/** What keys the ids of one response: its `responseId`, else the caller's fallback. */
export function responseKey(response: { responseId?: unknown }, ctx: Pick<ChatResponseContext, 'fallbackId'>): string {
  if (typeof response.responseId === 'string' && response.responseId.length > 0) return response.responseId;
  return ctx.fallbackId ?? 'gemini';
}

export function completionId(key: string): string {
  return `chatcmpl-${key}`;
}

/** A complete function call part (`functionCall.name` set) as an OpenAI tool call. */
export function toolCallFrom(part: GeminiResponsePart, key: string, candidateIndex: number, callIndex: number): ChatToolCall | undefined {
  const call = part.functionCall;
  if (typeof call !== 'object' || call === null || typeof call.name !== 'string' || call.name.length === 0) return undefined;
  const signature = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined;
  const args = typeof call.args === 'object' && call.args !== null ? call.args : {};
  return { id: toolCallId(key, candidateIndex, callIndex, signature), type: 'function', function: { name: call.name, arguments: JSON.stringify(args) } };
}

export function partsOf(candidate: GeminiCandidate | undefined): GeminiResponsePart[] {
  const parts = candidate?.content?.parts;
  return Array.isArray(parts) ? parts.filter((p): p is GeminiResponsePart => typeof p === 'object' && p !== null) : [];
}

function choiceFrom(candidate: GeminiCandidate, position: number, key: string, exposeReasoning: boolean): ChatCompletionChoice {
  const index = candidateIndexOf(candidate, position);
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ChatToolCall[] = [];
  for (const part of partsOf(candidate)) {
    const call = toolCallFrom(part, key, index, toolCalls.length);
    if (call) toolCalls.push(call);
    else if (typeof part.text === 'string') (part.thought === true ? thoughts : texts).push(part.text);
    // inlineData (image output), executableCode, functionResponse (server-side tools): no Chat Completions field.
  }
  const text = texts.join('');
  const message: ChatCompletionChoice['message'] = { role: 'assistant', content: text.length > 0 ? text : toolCalls.length > 0 ? null : '', refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (exposeReasoning && thoughts.length > 0) message.reasoning_content = thoughts.join('');
  const finishReason = typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined;
  return { index, message, finish_reason: mapFinishReason(finishReason, toolCalls.length > 0), logprobs: null };
}

/** The choice OpenAI clients get when Gemini answered nothing: blocked prompt → content_filter. */
export function emptyChoice(blocked: boolean): ChatCompletionChoice {
  return { index: 0, message: { role: 'assistant', content: '', refusal: null }, finish_reason: blocked ? 'content_filter' : 'stop', logprobs: null };
}

export function isPromptBlocked(response: GenerateContentResponse): boolean {
  return typeof response.promptFeedback?.blockReason === 'string' && response.promptFeedback.blockReason.length > 0;
}

/** Translates one unary Gemini answer. */
export function geminiToChat(response: GenerateContentResponse, ctx: ChatResponseContext): ChatCompletion {
  const key = responseKey(response, ctx);
  const candidates = Array.isArray(response.candidates) ? response.candidates.filter((c) => typeof c === 'object' && c !== null) : [];
  const choices =
    candidates.length > 0
      ? candidates.map((c, i) => choiceFrom(c, i, key, ctx.exposeReasoning ?? true)).sort((a, b) => a.index - b.index)
      : [emptyChoice(isPromptBlocked(response))];
  const completion: ChatCompletion = {
    id: completionId(key),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices,
    usage: usageFrom(response.usageMetadata),
  };
  if (typeof response.modelVersion === 'string') completion.system_fingerprint = response.modelVersion;
  return completion;
}
