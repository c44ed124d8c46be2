/**
 * Plain shapes of both protocols as this module reads and writes them. The OpenAI side mirrors the
 * Chat Completions / Embeddings / Models wire format (the `openai` SDK is only a test dependency: the unit
 * tests check these types are assignable to the SDK's own); the Gemini side is loose, because Google adds
 * fields faster than any copy of its schema and a translation must never choke on a field it does not know.
 */
import type { Part } from '../protocol/content';

// ---------------------------------------------------------------- Gemini responses (what comes back)

export interface GeminiFunctionCall {
  name?: string;
  args?: Record<string, unknown>;
  id?: string;
  /** Gemini 3 with `streamFunctionCallArguments`: the call continues in later chunks. */
  willContinue?: boolean;
  partialArgs?: GeminiPartialArg[];
  [other: string]: unknown;
}

export interface GeminiPartialArg {
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: unknown;
  willContinue?: boolean;
  [other: string]: unknown;
}

export interface GeminiResponsePart extends Omit<Part, 'functionCall'> {
  thoughtSignature?: string;
  functionCall?: GeminiFunctionCall;
}

export interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiResponsePart[] };
  finishReason?: string;
  finishMessage?: string;
  [other: string]: unknown;
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
  [other: string]: unknown;
}

export interface GenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; [other: string]: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  [other: string]: unknown;
}

/** A chunk of `:streamGenerateContent`: a response, or Google's in-band error. */
export type GeminiStreamChunk = GenerateContentResponse | { error: { code?: number; message?: string; status?: string; details?: unknown[] } };

// ---------------------------------------------------------------- OpenAI responses (what we send)

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  tool_calls?: ChatToolCall[];
  /** Gemini's thought summaries (`thought: true` parts), present only when the model sent some. */
  reasoning_content?: string;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: FinishReason;
  logprobs: null;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage: ChatUsage;
  system_fingerprint?: string;
}

export interface ChatToolCallDelta {
  index: number;
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletionChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  tool_calls?: ChatToolCallDelta[];
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: ChatCompletionChunkDelta;
  finish_reason: FinishReason | null;
  logprobs: null;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChatCompletionChunkChoice[];
  /** Present (null, then the totals on the last chunk) only when `stream_options.include_usage` is set. */
  usage?: ChatUsage | null;
  system_fingerprint?: string;
}

export interface EmbeddingData {
  object: 'embedding';
  index: number;
  /** float32 little-endian bytes in base64 when `encoding_format: "base64"`. */
  embedding: number[] | string;
}

export interface EmbeddingsResponse {
  object: 'list';
  data: EmbeddingData[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface ModelsList {
  object: 'list';
  data: OpenAIModel[];
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

/** An error ready to send: HTTP status, the headers it needs (e.g. `retry-after`) and the body. */
export interface OpenAIErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: OpenAIErrorBody;
}
