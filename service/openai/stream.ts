/**
 * Gemini `:streamGenerateContent` chunks → OpenAI `chat.completion.chunk`s, and OpenAI's SSE framing.
 *
 * One translator per response. `push` takes each parsed Gemini chunk and returns what to send now; `finish`
 * (when the upstream stream ended normally) returns the closing chunks: one per choice with
 * `finish_reason`, then, with `include_usage`, one with `choices: []` and the usage. Finish reasons are held
 * back until `finish` because Gemini can report one mid-stream (server-side tools answer STOP on the call,
 * then keep streaming the answer). Tool calls go out whole, one delta each (`index`, `id`, `type`,
 * `function.name`, the full `arguments`), which is what the `openai` SDK's stream helpers reassemble.
 *
 * A Gemini in-band error chunk (`{"error":{…}}`) becomes an `{ kind: 'error' }` output: write it with
 * `sseFrame` and close the response without `[DONE]` (the `openai` SDK throws an `APIError` on it).
 */
import { streamEndedMidAnswer } from '../protocol/errors';
import { candidateIndexOf } from '../protocol/stream-format';
import { googleErrorFromChunk, toOpenAIError } from './errors';
import {
  completionId,
  isPromptBlocked,
  mapFinishReason,
  partsOf,
  responseKey,
  toolCallFrom,
  usageFrom,
  type ChatResponseContext,
} from './from-gemini';
import type {
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionChunkDelta,
  ChatToolCallDelta,
  GeminiFunctionCall,
  GeminiPartialArg,
  GeminiUsageMetadata,
  GenerateContentResponse,
  OpenAIErrorResponse,
} from './types';

export interface ChatStreamContext extends ChatResponseContext {
  /** `stream_options.include_usage`: every chunk carries `usage: null`, and a last chunk carries the totals. */
  includeUsage?: boolean;
}

export type ChatStreamOutput = { kind: 'chunk'; chunk: ChatCompletionChunk } | { kind: 'error'; error: OpenAIErrorResponse };

/** A Gemini 3 call whose arguments stream in later chunks (`willContinue` / `partialArgs`). */
interface PendingCall {
  name: string;
  signature: string | undefined;
  args: Record<string, unknown>;
}

interface ChoiceState {
  roleSent: boolean;
  toolCalls: number;
  finishReason: string | undefined;
  pending: PendingCall | undefined;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PATH_SEGMENTS = 32;

/** `$.a.b[0]['c d']` → `['a', 'b', 0, 'c d']`; undefined when the path is not that simple form. */
export function parseJsonPath(path: string): Array<string | number> | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: Array<string | number> = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let at = 1;
  while (at < path.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(path);
    if (!match || segments.length >= MAX_PATH_SEGMENTS) return undefined;
    segments.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3] ?? match[4])!);
    at = pattern.lastIndex;
  }
  return segments;
}

/** Applies streamed argument pieces: strings at the same path concatenate, other values replace. */
export function applyPartialArgs(args: Record<string, unknown>, partials: readonly GeminiPartialArg[] | undefined): void {
  for (const partial of partials ?? []) {
    if (typeof partial !== 'object' || partial === null || typeof partial.jsonPath !== 'string') continue;
    const path = parseJsonPath(partial.jsonPath);
    if (!path || path.length === 0 || path.some((k) => typeof k === 'string' && UNSAFE_KEYS.has(k))) continue;
    let node: Record<string | number, unknown> = args;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i]!;
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[key] as Record<string | number, unknown>;
    }
    const last = path[path.length - 1]!;
    if (typeof partial.stringValue === 'string') {
      const existing = node[last];
      node[last] = typeof existing === 'string' ? existing + partial.stringValue : partial.stringValue;
    } else if (typeof partial.numberValue === 'number') node[last] = partial.numberValue;
    else if (typeof partial.boolValue === 'boolean') node[last] = partial.boolValue;
    else if ('nullValue' in partial) node[last] = null;
  }
}

export class ChatStreamTranslator {
  private readonly ctx: ChatStreamContext;
  private key: string | undefined;
  private fingerprint: string | undefined;
  private readonly choices = new Map<number, ChoiceState>();
  private usage: GeminiUsageMetadata | undefined;
  private blocked = false;
  private done = false;

  constructor(ctx: ChatStreamContext) {
    this.ctx = ctx;
  }

  /** Translates one parsed Gemini stream chunk. */
  push(chunk: unknown): ChatStreamOutput[] {
    if (this.done || typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) return [];
    if ('error' in chunk && typeof chunk.error === 'object' && chunk.error !== null) {
      this.done = true;
      return [{ kind: 'error', error: toOpenAIError(googleErrorFromChunk(chunk.error)) }];
    }
    const response = chunk as GenerateContentResponse;
    this.key ??= responseKey(response, this.ctx);
    if (typeof response.modelVersion === 'string') this.fingerprint = response.modelVersion;
    if (typeof response.usageMetadata === 'object' && response.usageMetadata !== null) this.usage = response.usageMetadata;
    if (isPromptBlocked(response)) this.blocked = true;
    const out: ChatStreamOutput[] = [];
    const candidates = Array.isArray(response.candidates) ? response.candidates : [];
    candidates.forEach((candidate, position) => {
      if (typeof candidate !== 'object' || candidate === null) return;
      const index = candidateIndexOf(candidate, position);
      const state = this.state(index);
      const delta: ChatCompletionChunkDelta = {};
      const toolCalls: ChatToolCallDelta[] = [];
      for (const part of partsOf(candidate)) {
        if (typeof part.functionCall === 'object' && part.functionCall !== null) {
          toolCalls.push(...this.functionCall(state, index, part.functionCall, part.thoughtSignature));
        } else if (typeof part.text === 'string' && part.text.length > 0) {
          if (part.thought === true) {
            if (this.ctx.exposeReasoning ?? true) delta.reasoning_content = (delta.reasoning_content ?? '') + part.text;
          } else delta.content = (delta.content ?? '') + part.text;
        }
      }
      if (toolCalls.length > 0) delta.tool_calls = toolCalls;
      if (typeof candidate.finishReason === 'string') state.finishReason = candidate.finishReason;
      if (Object.keys(delta).length > 0) out.push(this.choiceChunk(state, index, delta, null));
    });
    return out;
  }

  /**
   * The closing chunks, once the upstream stream has ended normally. A stream that ended before an answer
   * it had begun gave its finish reason was cut short: that is an error, never an answer that looks whole.
   */
  finish(): ChatStreamOutput[] {
    if (this.done) return [];
    this.done = true;
    if (!this.blocked && [...this.choices.values()].some((state) => state.finishReason === undefined)) {
      throw streamEndedMidAnswer();
    }
    const out: ChatStreamOutput[] = [];
    if (this.choices.size === 0) this.state(0);
    for (const index of [...this.choices.keys()].sort((a, b) => a - b)) {
      const state = this.choices.get(index)!;
      if (state.pending) {
        const calls = [this.emitCall(state, index, state.pending)];
        state.pending = undefined;
        out.push(this.choiceChunk(state, index, { tool_calls: calls }, null));
      }
      const reason = this.blocked && !state.roleSent ? 'content_filter' : mapFinishReason(state.finishReason, state.toolCalls > 0);
      out.push(this.choiceChunk(state, index, state.roleSent ? {} : { content: '' }, reason));
    }
    if (this.ctx.includeUsage) out.push({ kind: 'chunk', chunk: { ...this.envelope([]), usage: usageFrom(this.usage) } });
    return out;
  }

  private state(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = { roleSent: false, toolCalls: 0, finishReason: undefined, pending: undefined };
      this.choices.set(index, state);
    }
    return state;
  }

  private functionCall(state: ChoiceState, index: number, call: GeminiFunctionCall, signature: unknown): ChatToolCallDelta[] {
    const out: ChatToolCallDelta[] = [];
    const sig = typeof signature === 'string' ? signature : undefined;
    if (typeof call.name === 'string' && call.name.length > 0) {
      if (state.pending) out.push(this.emitCall(state, index, state.pending));
      state.pending = undefined;
      const args = typeof call.args === 'object' && call.args !== null ? { ...call.args } : {};
      const pending: PendingCall = { name: call.name, signature: sig, args };
      if (call.willContinue === true) {
        applyPartialArgs(pending.args, call.partialArgs);
        state.pending = pending;
      } else out.push(this.emitCall(state, index, pending));
    } else if (state.pending) {
      applyPartialArgs(state.pending.args, call.partialArgs);
      if (call.willContinue !== true) {
        out.push(this.emitCall(state, index, state.pending));
        state.pending = undefined;
      }
    }
    return out;
  }

  private emitCall(state: ChoiceState, index: number, call: PendingCall): ChatToolCallDelta {
    const part = { functionCall: { name: call.name, args: call.args }, thoughtSignature: call.signature };
    const toolCall = toolCallFrom(part, this.key ?? responseKey({}, this.ctx), index, state.toolCalls)!;
    return { index: state.toolCalls++, ...toolCall };
  }

  private envelope(choices: ChatCompletionChunkChoice[]): ChatCompletionChunk {
    const chunk: ChatCompletionChunk = {
      id: completionId(this.key ?? responseKey({}, this.ctx)),
      object: 'chat.completion.chunk',
      created: this.ctx.created,
      model: this.ctx.model,
      choices,
    };
    if (this.fingerprint !== undefined) chunk.system_fingerprint = this.fingerprint;
    if (this.ctx.includeUsage) chunk.usage = null;
    return chunk;
  }

  private choiceChunk(state: ChoiceState, index: number, delta: ChatCompletionChunkDelta, finishReason: ChatCompletionChunkChoice['finish_reason']): ChatStreamOutput {
    const withRole: ChatCompletionChunkDelta = state.roleSent ? delta : { role: 'assistant', ...delta };
    state.roleSent = true;
    return { kind: 'chunk', chunk: this.envelope([{ index, delta: withRole, finish_reason: finishReason, logprobs: null }]) };
  }
}

// ---------------------------------------------------------------- SSE framing (OpenAI flavour)

export const OPENAI_SSE_DONE = 'data: [DONE]\n\n';

/** One SSE event: `data: <one-line JSON>\n\n`. */
export function sseEvent(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** Frames a translator output: a chunk, or the error object the `openai` SDK raises as `APIError`. */
export function sseFrame(output: ChatStreamOutput): string {
  return sseEvent(output.kind === 'chunk' ? output.chunk : output.error.body);
}
