/**
 * OpenAI Chat Completions request → Gemini `generateContent` request. Pure: a validated `ChatRequest` in,
 * `{ model, body }` out; what cannot be translated is a 400 (`OpenAIRequestError` with `param`), never a
 * silent change of meaning. README-translation.md lists every mapping and every lossy case.
 */
import { checkInlineData, type InlineDataProblem } from '../pipeline/validate/media';
import type { GenerateContentRequest } from '../pipeline/validate/schemas';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../api/body';
import { OpenAIRequestError } from './errors';
import type { ChatMessage, ChatRequest, ChatToolCallInput, GoogleExtras } from './schemas';
import { thoughtSignatureFromId } from './tool-call-ids';

export type ThinkingStyle = 'budget' | 'level' | 'none';

export interface ChatToGeminiOptions {
  /** The Gemini model to call, after alias resolution; defaults to the request's `model` (minus `models/`). */
  model?: string;
  /** Pass remote `http(s)` image URLs to Gemini as `fileData` (Gemini fetches them; the gateway never does). */
  allowRemoteImages?: boolean;
  /**
   * The concrete model that serves the call (a gateway alias resolved), whose family decides how
   * `reasoning_effort` is expressed and the lowest thinking budget it accepts. Default: the model name.
   */
  thinkingModel?: string;
  /**
   * Largest inline PDF, in decoded bytes (`GATEWAY_MAX_PDF_BYTES`). Inline media is checked here as the
   * pipeline checks it (types, bytes that match them, PDF size), so a refusal names the OpenAI field
   * (`messages[0].content[1].image_url.url`) instead of the Gemini part it became. Default: no PDF limit.
   */
  maxPdfBytes?: number;
}

export interface GeminiCall {
  model: string;
  body: GenerateContentRequest;
}

/** A request part as the gateway's Gemini schema types it (`inlineData` needs both fields, unlike content.ts's loose view). */
type Part = NonNullable<GenerateContentRequest['contents'][number]['parts']>[number];
type GeminiContent = { role: 'user' | 'model'; parts: Part[] };

// ---------------------------------------------------------------- model and thinking

export function normalizeModelName(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}

/**
 * Gemini 3.x (and the `-latest` aliases, which point at 3.x) take `thinkingLevel`; 2.5 takes
 * `thinkingBudget`; 1.x/2.0 do not think, so `reasoning_effort` is dropped for them. Unknown names
 * (tuned models, gateway aliases not resolved first) are treated as budget-style.
 */
export function thinkingStyleFor(model: string): ThinkingStyle {
  const version = /gemini-(\d+)(?:\.(\d+))?(?=-|$)/.exec(model);
  if (version) {
    const major = Number(version[1]);
    const minor = Number(version[2] ?? 0);
    if (major >= 3) return 'level';
    if (major === 2 && minor >= 5) return 'budget';
    return 'none';
  }
  return /-latest$/.test(model) ? 'level' : 'budget';
}

type Effort = NonNullable<ChatRequest['reasoning_effort']>;

/** 2.5 budgets (Google's own OpenAI endpoint: low 1K, medium 8K, high 24K, none off). */
const EFFORT_BUDGET: Record<Exclude<Effort, 'minimal' | 'none'>, number> = { low: 1024, medium: 8192, high: 24576 };

/** The lowest non-zero budget the model accepts: 2.5 Pro 128, Flash-Lite 512, Flash 1. */
function lowestBudget(model: string): number {
  if (/-pro\b/.test(model)) return 128;
  if (/flash-lite/.test(model)) return 512;
  return 1;
}

/** 3.x levels. UNVERIFIED: Google does not document how its endpoint maps efforts to levels for 3.x. */
const EFFORT_LEVEL: Record<Effort, string> = { none: 'MINIMAL', minimal: 'MINIMAL', low: 'LOW', medium: 'MEDIUM', high: 'HIGH' };

export function thinkingForEffort(effort: Effort, model: string, style: ThinkingStyle): { thinkingBudget?: number; thinkingLevel?: string } | undefined {
  if (style === 'none') return undefined;
  if (style === 'level') return { thinkingLevel: EFFORT_LEVEL[effort] };
  if (effort === 'minimal') return { thinkingBudget: lowestBudget(model) };
  // 2.5 Pro cannot turn thinking off: its lowest budget is the closest it gets to "none".
  if (effort === 'none') return { thinkingBudget: /-pro\b/.test(model) ? lowestBudget(model) : 0 };
  return { thinkingBudget: EFFORT_BUDGET[effort] };
}

// ---------------------------------------------------------------- content

const MAX_DATA_URL_HEADER = 256;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

type InlineData = NonNullable<Part['inlineData']>;

/** `data:<mime>[;param][;base64],<payload>` → inline data; percent-encoded payloads are re-encoded as base64. */
export function parseDataUrl(url: string, param: string): InlineData {
  const comma = url.indexOf(',');
  if (comma < 0 || comma > MAX_DATA_URL_HEADER) {
    throw new OpenAIRequestError('Malformed data URL: expected data:<mime type>;base64,<data>.', { param, code: 'invalid_image_url' });
  }
  const [mime = '', ...flags] = url.slice('data:'.length, comma).split(';');
  // `image/jpg` is not a registered type, yet browsers and libraries write it: it means image/jpeg.
  const mimeType = mime.trim().toLowerCase().replace(/^image\/jpg$/, 'image/jpeg');
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mimeType)) {
    throw new OpenAIRequestError('The data URL has no valid MIME type (e.g. data:image/png;base64,...).', { param, code: 'invalid_image_url' });
  }
  const payload = url.slice(comma + 1);
  if (flags.some((f) => f.trim().toLowerCase() === 'base64')) {
    if (payload.length === 0 || !BASE64.test(payload)) {
      throw new OpenAIRequestError('The data URL payload is not valid base64.', { param, code: 'invalid_image_url' });
    }
    return { mimeType, data: payload };
  }
  try {
    return { mimeType, data: Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64') };
  } catch {
    throw new OpenAIRequestError('The data URL payload is not valid percent-encoded text.', { param, code: 'invalid_image_url' });
  }
}

const IMAGE_EXTENSIONS: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

function mediaProblemText(problem: InlineDataProblem): string {
  switch (problem.kind) {
    case 'mime_type':
      return `The media type ${JSON.stringify(problem.mimeType)} is not one Gemini accepts as input.`;
    case 'base64':
      return 'The data is not valid base64.';
    case 'not_its_type':
      return `The data is declared as ${problem.type}, but its bytes are not ${problem.type}.`;
    case 'pdf_size':
      return `The PDF is ${problem.bytes} bytes decoded; inline PDFs are limited to ${problem.maxBytes} bytes.`;
  }
}

/** Inline media as the pipeline will check it, refused here with the OpenAI field that carried it. */
function checkedInline(inlineData: InlineData, param: string, code: string, options: ChatToGeminiOptions): InlineData {
  const checked = checkInlineData(inlineData, { maxPdfBytes: options.maxPdfBytes ?? Infinity });
  if ('problem' in checked) throw new OpenAIRequestError(mediaProblemText(checked.problem), { param, code });
  return inlineData;
}

function imagePart(url: string, param: string, options: ChatToGeminiOptions): Part {
  if (url.startsWith('data:')) return { inlineData: checkedInline(parseDataUrl(url, param), param, 'invalid_image_url', options) };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OpenAIRequestError('image_url.url must be a data: URL or an https URL.', { param, code: 'invalid_image_url' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new OpenAIRequestError(`Unsupported image URL scheme ${JSON.stringify(parsed.protocol)}; send a data: URL.`, { param, code: 'invalid_image_url' });
  }
  if (!options.allowRemoteImages) {
    throw new OpenAIRequestError(
      'Remote image URLs are not accepted by this gateway: send the image inline as a data: URL (data:image/png;base64,...).',
      { param, code: 'invalid_image_url' },
    );
  }
  const extension = /\.([a-z0-9]+)$/i.exec(parsed.pathname)?.[1]?.toLowerCase();
  const mimeType = extension ? IMAGE_EXTENSIONS[extension] : undefined;
  return { fileData: mimeType ? { mimeType, fileUri: url } : { fileUri: url } };
}

const AUDIO_FORMATS: Record<string, string> = { mp3: 'audio/mp3', mpeg: 'audio/mpeg', m4a: 'audio/aac' };

type UserContent = Extract<ChatMessage, { role: 'user' }>['content'];

function userParts(content: UserContent, param: string, options: ChatToGeminiOptions): Part[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part, j): Part => {
    const at = `${param}[${j}]`;
    switch (part.type) {
      case 'text':
        return { text: part.text };
      case 'image_url':
        return imagePart(part.image_url.url, `${at}.image_url.url`, options);
      case 'input_audio': {
        const data = part.input_audio.data;
        if (!BASE64.test(data)) throw new OpenAIRequestError('input_audio.data must be base64.', { param: `${at}.input_audio.data`, code: 'invalid_value' });
        const format = part.input_audio.format;
        return { inlineData: checkedInline({ mimeType: AUDIO_FORMATS[format] ?? `audio/${format}`, data }, `${at}.input_audio`, 'invalid_value', options) };
      }
      case 'file': {
        if (part.file.file_data === undefined) {
          throw new OpenAIRequestError('Uploaded file ids are not supported; send file_data as a data: URL.', { param: `${at}.file.file_id`, code: 'unsupported_value' });
        }
        const data = part.file.file_data;
        if (!data.startsWith('data:')) throw new OpenAIRequestError('file_data must be a data: URL.', { param: `${at}.file.file_data`, code: 'invalid_value' });
        return { inlineData: checkedInline(parseDataUrl(data, `${at}.file.file_data`), `${at}.file.file_data`, 'invalid_value', options) };
      }
    }
  });
}

function joinText(content: string | ReadonlyArray<{ text: string }>): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

/** Parses a tool call's `arguments`: Gemini wants an object (`""` means no arguments). */
function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim().length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OpenAIRequestError('Tool call arguments are not valid JSON.', { param, code: 'invalid_tool_arguments' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OpenAIRequestError('Tool call arguments must be a JSON object.', { param, code: 'invalid_tool_arguments' });
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
    throw new OpenAIRequestError(`Tool call arguments are nested deeper than ${MAX_JSON_DEPTH} levels.`, { param, code: 'invalid_tool_arguments' });
  }
  return value as Record<string, unknown>;
}

/** A tool result: a JSON object is sent as the response itself, anything else as `{ "result": <text> }`. */
export function functionResponseBody(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && !jsonDepthExceeds(value, MAX_JSON_DEPTH)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // not JSON: wrapped below
    }
  }
  return { result: text };
}

function functionCallPart(call: ChatToolCallInput, param: string): Part {
  const part: Part = { functionCall: { name: call.function.name, args: parseArguments(call.function.arguments, `${param}.function.arguments`) } };
  const signature = call.extra_content?.google?.thought_signature ?? thoughtSignatureFromId(call.id);
  if (signature) part.thoughtSignature = signature;
  return part;
}

interface Conversation {
  system: string[];
  contents: GeminiContent[];
}

function translateMessages(messages: readonly ChatMessage[], options: ChatToGeminiOptions): Conversation {
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const append = (role: GeminiContent['role'], parts: Part[]): void => {
    const last = contents[contents.length - 1];
    // Gemini wants turns to alternate; consecutive same-role messages become one turn.
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(typeof message.content === 'string' ? message.content : message.content.map((p) => p.text).join('\n\n'));
        return;
      case 'user':
        append('user', userParts(message.content, `${param}.content`, options));
        return;
      case 'assistant': {
        const parts: Part[] = [];
        const content = message.content;
        if (typeof content === 'string' && content.length > 0) parts.push({ text: content });
        if (Array.isArray(content)) for (const p of content) parts.push({ text: p.type === 'text' ? p.text : p.refusal });
        (message.tool_calls ?? []).forEach((call, j) => {
          toolNames.set(call.id, call.function.name);
          parts.push(functionCallPart(call, `${param}.tool_calls[${j}]`));
        });
        append('model', parts.length > 0 ? parts : [{ text: '' }]);
        return;
      }
      case 'tool': {
        const name = toolNames.get(message.tool_call_id);
        if (name === undefined) {
          throw new OpenAIRequestError(`tool_call_id ${JSON.stringify(message.tool_call_id.slice(0, 80))} does not match a tool call of an earlier assistant message.`, {
            param: `${param}.tool_call_id`,
            code: 'invalid_value',
          });
        }
        append('user', [{ functionResponse: { name, response: functionResponseBody(joinText(message.content)) } }]);
        return;
      }
    }
  });
  return { system, contents };
}

// ---------------------------------------------------------------- generation config, tools, extras

/** Gemini's seed is an int32; larger OpenAI seeds are folded into that range (same seed in, same seed out). */
export function int32Seed(seed: number): number {
  if (seed >= -0x80000000 && seed <= 0x7fffffff) return seed;
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(seed))));
}

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function camelKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [snakeToCamel(k), v]));
}

function googleExtras(req: ChatRequest): GoogleExtras {
  return { ...(req.google ?? {}), ...(req.extra_body?.google ?? {}) };
}

function googleParam(req: ChatRequest, field: string): string {
  return req.extra_body?.google && field in req.extra_body.google ? `extra_body.google.${field}` : `google.${field}`;
}

function thinkingConfig(req: ChatRequest, model: string, style: ThinkingStyle): Record<string, unknown> | undefined {
  const extra = googleExtras(req).thinking_config;
  const budget = extra?.thinking_budget ?? extra?.thinkingBudget;
  const level = extra?.thinking_level ?? extra?.thinkingLevel;
  const includeThoughts = extra?.include_thoughts ?? extra?.includeThoughts;
  const param = googleParam(req, 'thinking_config');
  if (budget !== undefined && level !== undefined) {
    throw new OpenAIRequestError('Set thinking_budget or thinking_level, not both.', { param, code: 'invalid_value' });
  }
  if (req.reasoning_effort && (budget !== undefined || level !== undefined)) {
    throw new OpenAIRequestError('reasoning_effort and google.thinking_config (budget or level) cannot both be set.', {
      param: 'reasoning_effort',
      code: 'invalid_value',
    });
  }
  const config: Record<string, unknown> = {};
  if (req.reasoning_effort) Object.assign(config, thinkingForEffort(req.reasoning_effort, model, style));
  if (budget !== undefined) config.thinkingBudget = budget;
  if (level !== undefined) config.thinkingLevel = level.toUpperCase();
  if (includeThoughts !== undefined) config.includeThoughts = includeThoughts;
  return Object.keys(config).length > 0 ? config : undefined;
}

function generationConfig(req: ChatRequest, model: string, style: ThinkingStyle): Record<string, unknown> | undefined {
  const config: Record<string, unknown> = {};
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (req.stop != null) config.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (req.n != null) config.candidateCount = req.n;
  if (req.seed != null) config.seed = int32Seed(req.seed);
  if (req.presence_penalty != null) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) config.frequencyPenalty = req.frequency_penalty;
  const format = req.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  const thinking = thinkingConfig(req, model, style);
  if (thinking) config.thinkingConfig = thinking;
  return Object.keys(config).length > 0 ? config : undefined;
}

function toolsAndConfig(req: ChatRequest): Pick<GenerateContentRequest, 'tools' | 'toolConfig'> {
  const tools = req.tools ?? [];
  const choice = req.tool_choice;
  const names = new Set(tools.map((t) => t.function.name));
  const out: Pick<GenerateContentRequest, 'tools' | 'toolConfig'> = {};
  if (tools.length > 0) {
    out.tools = [
      {
        functionDeclarations: tools.map((tool) => {
          const declaration: { name: string; description?: string; parametersJsonSchema?: unknown } = { name: tool.function.name };
          if (tool.function.description !== undefined) declaration.description = tool.function.description;
          if (tool.function.parameters !== undefined) declaration.parametersJsonSchema = tool.function.parameters;
          return declaration;
        }),
      },
    ];
  }
  if (choice == null) return out;
  if (typeof choice === 'string') {
    if (tools.length === 0) {
      if (choice === 'required') throw new OpenAIRequestError("tool_choice 'required' needs at least one tool in 'tools'.", { param: 'tool_choice', code: 'invalid_value' });
      return out;
    }
    out.toolConfig = { functionCallingConfig: { mode: choice === 'none' ? 'NONE' : choice === 'auto' ? 'AUTO' : 'ANY' } };
    return out;
  }
  if (choice.type === 'allowed_tools') {
    const allowed = choice.allowed_tools.tools.map((tool, i) => requireDeclared(names, tool.function.name, `tool_choice.allowed_tools.tools[${i}].function.name`));
    if (choice.allowed_tools.mode === 'required') {
      out.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: allowed } };
    } else {
      // Gemini takes allowedFunctionNames only with mode ANY: "auto among these" is declaring only these.
      out.tools = [{ functionDeclarations: (out.tools?.[0]?.functionDeclarations ?? []).filter((d) => allowed.includes(d.name)) }];
      out.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
    }
    return out;
  }
  out.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [requireDeclared(names, choice.function.name, 'tool_choice.function.name')] } };
  return out;
}

/** A function the tool choice names must be one of `tools`. */
function requireDeclared(names: ReadonlySet<string>, name: string, param: string): string {
  if (!names.has(name)) throw new OpenAIRequestError(`tool_choice names function ${JSON.stringify(name)}, which is not in 'tools'.`, { param, code: 'invalid_value' });
  return name;
}

// ---------------------------------------------------------------- entry point

/** Translates a validated chat request (see `parseChatRequest`) into the Gemini call to make. */
export function chatToGemini(req: ChatRequest, options: ChatToGeminiOptions = {}): GeminiCall {
  const model = normalizeModelName(options.model ?? req.model);
  const thinkingModel = options.thinkingModel ?? model;
  const style = thinkingStyleFor(thinkingModel);
  const { system, contents } = translateMessages(req.messages, options);
  const body: GenerateContentRequest = { contents };
  const systemText = system.join('\n\n');
  if (contents.length === 0) {
    // Only system/developer messages: Gemini needs a turn to answer, so the instructions become that turn.
    body.contents = [{ role: 'user', parts: [{ text: systemText }] }];
  } else if (system.length > 0) {
    body.systemInstruction = { role: 'user', parts: [{ text: systemText }] };
  }
  Object.assign(body, toolsAndConfig(req));
  const config = generationConfig(req, thinkingModel, style);
  if (config) body.generationConfig = config;
  const extras = googleExtras(req);
  if (extras.cached_content !== undefined) body.cachedContent = extras.cached_content;
  if (extras.safety_settings !== undefined) body.safetySettings = extras.safety_settings.map(camelKeys);
  return { model, body };
}
