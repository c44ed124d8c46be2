/**
 * zod schemas of the OpenAI requests the gateway accepts: Chat Completions and Embeddings.
 *
 * Strict on the fields the translation reads; unknown fields are dropped, never rejected (real clients
 * send extras: `store`, `metadata`, `service_tier`, …), and `ignoredChatFields` / `ignoredEmbeddingsFields`
 * name them so a route can tell the caller. A few known fields whose meaning cannot be honoured and whose
 * silent loss would break the caller's code are rejected with a 400 instead: `functions`/`function_call`
 * (the deprecated spelling of tools, silently dropping them would change what the model does), audio output
 * (`modalities: ["audio"]`, `audio`), and token-array embedding input.
 */
import { z } from 'zod';
import { MAX_CANDIDATES, MAX_STOP_SEQUENCES } from '../protocol/content';
import { fromZodError, OpenAIRequestError } from './errors';

// ---------------------------------------------------------------- messages

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const audioPart = z.object({
  type: z.literal('input_audio'),
  input_audio: z.object({ data: z.string().min(1), format: z.string().regex(/^[a-z0-9]{2,8}$/, 'Expected an audio format such as "wav" or "mp3"') }),
});
const filePart = z.object({
  type: z.literal('file'),
  file: z.object({ file_data: z.string().min(1).optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});

/** A value quoted in an error message, cut short: a hostile 5 MB "role" is not echoed back. */
export const quote = (value: unknown): string => {
  const text = JSON.stringify(value ?? null) ?? 'null';
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
};

const partTypeError = (allowed: string) => ({
  error: (issue: { input: unknown }) => {
    const type = (issue.input as { type?: unknown } | null)?.type;
    return `Unsupported content part type ${quote(type)}; expected ${allowed}`;
  },
});

const userPart = z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart], partTypeError('"text", "image_url", "input_audio" or "file"'));
const textOnlyPart = z.discriminatedUnion('type', [textPart], partTypeError('"text"'));
const assistantPart = z.discriminatedUnion('type', [textPart, refusalPart], partTypeError('"text" or "refusal"'));

const textContent = z.union([z.string(), z.array(textOnlyPart).min(1)]);

export const toolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
  /** Google's OpenAI endpoint carries the thought signature here; read as an alternative to the id. */
  extra_content: z.object({ google: z.object({ thought_signature: z.string().optional() }).optional() }).optional(),
});

const name = z.string().optional();

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name });
const userMessage = z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart).min(1)]), name });
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(assistantPart)]).nullish(),
  tool_calls: z.array(toolCallSchema).optional(),
  name,
});
const toolMessage = z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: textContent });

export const messageSchema = z.discriminatedUnion('role', [systemMessage, developerMessage, userMessage, assistantMessage, toolMessage], {
  error: (issue) => {
    const role = (issue.input as { role?: unknown } | null)?.role;
    if (typeof issue.input !== 'object' || issue.input === null) return 'Each message must be an object';
    if (role === 'function') return "The deprecated 'function' role is not supported; use 'tool' messages with tool_call_id";
    return `Unsupported role ${quote(role)}; expected one of: ${ROLES.join(', ')}`;
  },
});

// ---------------------------------------------------------------- tools, formats, Gemini extras

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

export const toolSchema = z.object(
  {
    type: z.literal('function', { error: 'Only tools of type "function" are supported' }),
    function: z.object({
      name: z.string().regex(FUNCTION_NAME, 'Function names must start with a letter or underscore and use at most 64 of a-z, A-Z, 0-9, _ . : -'),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  },
  { error: 'Each tool must be an object' },
);

const namedFunction = z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) });

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  namedFunction,
  z.object({ type: z.literal('allowed_tools'), allowed_tools: z.object({ mode: z.enum(['auto', 'required']), tools: z.array(namedFunction).min(1) }) }),
]);

const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string().min(1),
        description: z.string().optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { error: 'Expected response_format.type to be "text", "json_object" or "json_schema"' },
);

/** Gemini's own knobs, in the snake_case Google's OpenAI endpoint documents (camelCase accepted too). */
export const googleExtrasSchema = z.object({
  thinking_config: z
    .object({
      thinking_budget: z.number().int().min(-1).optional(),
      thinkingBudget: z.number().int().min(-1).optional(),
      thinking_level: z.string().min(1).optional(),
      thinkingLevel: z.string().min(1).optional(),
      include_thoughts: z.boolean().optional(),
      includeThoughts: z.boolean().optional(),
    })
    .optional(),
  cached_content: z.string().min(1).optional(),
  safety_settings: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const chatRequestSchema = z.object({
  model: z.string().min(1).max(256),
  messages: z.array(messageSchema).min(1, 'messages must contain at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(toolSchema).max(512).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormatSchema.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(MAX_STOP_SEQUENCES, `Gemini accepts at most ${MAX_STOP_SEQUENCES} stop sequences`)]).nullish(),
  n: z.number().int().min(1).max(MAX_CANDIDATES, `n must be at most ${MAX_CANDIDATES} (Gemini candidateCount limit)`).nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high']).nullish(),
  user: z.string().nullish(),
  google: googleExtrasSchema.optional(),
  extra_body: z.object({ google: googleExtrasSchema.optional() }).optional(),
});

export type ChatRequest = z.output<typeof chatRequestSchema>;
export type ChatMessage = z.output<typeof messageSchema>;
export type ChatTool = z.output<typeof toolSchema>;
export type ChatToolCallInput = z.output<typeof toolCallSchema>;
export type GoogleExtras = z.output<typeof googleExtrasSchema>;

// ---------------------------------------------------------------- embeddings

export const MAX_EMBEDDING_INPUTS = 2048;

export const embeddingsRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([
    z.string().min(1, 'input must not be an empty string'),
    z.array(z.string().min(1, 'input must not contain empty strings')).min(1).max(MAX_EMBEDDING_INPUTS),
  ]),
  dimensions: z.number().int().min(1).max(3072).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().optional(),
});

export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

// ---------------------------------------------------------------- parsing

function requireObject(json: unknown): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OpenAIRequestError('The request body must be a JSON object.', { code: 'invalid_type' });
  }
  return json as Record<string, unknown>;
}

function rejectKnownUnsupported(body: Record<string, unknown>): void {
  if (body.functions !== undefined || body.function_call !== undefined) {
    const param = body.functions !== undefined ? 'functions' : 'function_call';
    throw new OpenAIRequestError(`'${param}' is deprecated and not supported here; use 'tools' and 'tool_choice'.`, { param, code: 'unsupported_parameter' });
  }
  if (Array.isArray(body.modalities) && body.modalities.includes('audio')) {
    throw new OpenAIRequestError('Audio output is not supported; remove "audio" from modalities.', { param: 'modalities', code: 'unsupported_value' });
  }
  if (body.audio !== undefined && body.audio !== null) {
    throw new OpenAIRequestError('Audio output is not supported.', { param: 'audio', code: 'unsupported_parameter' });
  }
  if (Array.isArray(body.messages)) {
    body.messages.forEach((message: unknown, i) => {
      const m = message as { role?: unknown; function_call?: unknown } | null;
      if (m && m.role === 'assistant' && m.function_call !== undefined && m.function_call !== null) {
        throw new OpenAIRequestError("Assistant 'function_call' is deprecated and not supported; use 'tool_calls'.", {
          param: `messages[${i}].function_call`,
          code: 'unsupported_parameter',
        });
      }
    });
  }
}

/** Validates a Chat Completions body; throws `OpenAIRequestError` (400, `param` set) when it is unusable. */
export function parseChatRequest(json: unknown): ChatRequest {
  const body = requireObject(json);
  rejectKnownUnsupported(body);
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) throw fromZodError(result.error, body);
  return result.data;
}

/** Validates an Embeddings body. Token-id input (`[1, 2]`, `[[1, 2]]`) gets a clear 400. */
export function parseEmbeddingsRequest(json: unknown): EmbeddingsRequest {
  const body = requireObject(json);
  const input = body.input;
  const isTokens = (v: unknown): boolean => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number');
  if (isTokens(input) || (Array.isArray(input) && input.some(isTokens))) {
    throw new OpenAIRequestError('Token-array input is not supported: Gemini embeds text. Send the text as a string or an array of strings.', {
      param: 'input',
      code: 'unsupported_value',
    });
  }
  const result = embeddingsRequestSchema.safeParse(body);
  if (!result.success) throw fromZodError(result.error, body);
  return result.data;
}

// ---------------------------------------------------------------- what is ignored

/** Known OpenAI fields accepted and dropped: the translation has no Gemini counterpart for them. */
export const IGNORED_CHAT_FIELDS = [
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'user',
  'store',
  'metadata',
  'service_tier',
  'prediction',
  'web_search_options',
  'modalities',
  'verbosity',
  'prompt_cache_key',
  'safety_identifier',
] as const;

const TRANSLATED_CHAT_FIELDS = new Set(Object.keys(chatRequestSchema.shape));
const TRANSLATED_GOOGLE_FIELDS = new Set(Object.keys(googleExtrasSchema.shape));

function googleKeys(value: unknown, prefix: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value)
    .filter((k) => !TRANSLATED_GOOGLE_FIELDS.has(k))
    .map((k) => `${prefix}.${k}`);
}

/**
 * The top-level fields of a chat body that have no effect, for a route to report (e.g. in a response
 * header): unknown fields, known ones without a Gemini counterpart (`logprobs`, `logit_bias`, `user`, …),
 * `parallel_tool_calls: false` (Gemini has no switch for it), per-message `name`, image `detail`, and
 * unknown keys under `google` / `extra_body.google`.
 */
export function ignoredChatFields(json: unknown): string[] {
  if (typeof json !== 'object' || json === null) return [];
  const body = json as Record<string, unknown>;
  const ignored = Object.keys(body).filter((k) => !TRANSLATED_CHAT_FIELDS.has(k) || k === 'user');
  if (body.parallel_tool_calls === false) ignored.push('parallel_tool_calls');
  ignored.push(...googleKeys(body.google, 'google'));
  if (typeof body.extra_body === 'object' && body.extra_body !== null) {
    const extra = body.extra_body as Record<string, unknown>;
    ignored.push(...Object.keys(extra).filter((k) => k !== 'google').map((k) => `extra_body.${k}`));
    ignored.push(...googleKeys(extra.google, 'extra_body.google'));
  }
  if (Array.isArray(body.messages)) {
    const messages = body.messages as unknown[];
    if (messages.some((m) => typeof m === 'object' && m !== null && 'name' in m)) ignored.push('messages[].name');
    const hasDetail = messages.some(
      (m) =>
        Array.isArray((m as { content?: unknown } | null)?.content) &&
        ((m as { content: unknown[] }).content).some((p) => typeof (p as { image_url?: { detail?: unknown } } | null)?.image_url?.detail === 'string'),
    );
    if (hasDetail) ignored.push('messages[].content[].image_url.detail');
  }
  // Gemini holds function arguments and structured output to the schema as given; `strict` changes nothing.
  if (Array.isArray(body.tools) && body.tools.some((t) => (t as { function?: { strict?: unknown } } | null)?.function?.strict != null)) ignored.push('tools[].function.strict');
  if ((body.response_format as { json_schema?: { strict?: unknown } } | null)?.json_schema?.strict != null) ignored.push('response_format.json_schema.strict');
  return ignored;
}

/** The fields of an embeddings body that have no effect (`user`, unknown fields). */
export function ignoredEmbeddingsFields(json: unknown): string[] {
  if (typeof json !== 'object' || json === null) return [];
  const known = new Set(Object.keys(embeddingsRequestSchema.shape));
  return Object.keys(json).filter((k) => !known.has(k) || k === 'user');
}
