/**
 * Deterministic Gemini answers: the same request always gets the same text, function call or JSON, with
 * usage counts that add up the way Google's do (total = prompt + candidates + thoughts; prompt includes
 * cached tokens; thought parts only when `includeThoughts` is set).
 */
import { decodedBase64Length, estimateTextTokens, MAX_CANDIDATES, MAX_STOP_SEQUENCES, textOf, type Content, type Part } from '../protocol/content';
import { invalidArgument } from '../protocol/errors';
import { billedContentsTokens, billedPartTokens } from './media-tokens';
import type { EmulatedModel } from './models';

export interface GenerateRequestBody {
  contents?: Content[];
  systemInstruction?: Content;
  tools?: Array<{ functionDeclarations?: FunctionDeclaration[]; [other: string]: unknown }>;
  toolConfig?: { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } };
  generationConfig?: {
    maxOutputTokens?: number;
    candidateCount?: number;
    stopSequences?: string[];
    responseMimeType?: string;
    responseSchema?: JsonSchemaLike;
    responseJsonSchema?: JsonSchemaLike;
    thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string; includeThoughts?: boolean };
  };
  cachedContent?: string;
}

interface FunctionDeclaration {
  name?: string;
  parameters?: JsonSchemaLike;
  parametersJsonSchema?: JsonSchemaLike;
}

interface JsonSchemaLike {
  type?: string | string[];
  properties?: Record<string, JsonSchemaLike>;
  items?: JsonSchemaLike;
  enum?: unknown[];
  required?: string[];
}

/** One of an answer's candidates (`candidateCount`; one by default). */
export interface Candidate {
  /** Parts in the order they are streamed; thought parts first. */
  parts: Part[];
  /** A source the text recites: the first https URL of the prompt, cited over the answer's first characters. */
  citation?: { uri: string; startIndex: number; endIndex: number };
  finishReason: 'STOP' | 'MAX_TOKENS';
}

export interface Answer {
  candidates: Candidate[];
  /** For the whole request: the prompt counted once, the output of every candidate summed, as Google bills it. */
  usage: {
    promptTokenCount: number;
    candidatesTokenCount: number;
    thoughtsTokenCount: number;
    cachedContentTokenCount: number;
    /** The prompt's tokens by modality, as Google reports them (`promptTokensDetails`). */
    promptTokensDetails: Array<{ modality: string; tokenCount: number }>;
  };
}

/** A prompt part's modality, as `promptTokensDetails` names it. */
function modalityOf(part: Part): string {
  const mimeType = (part.inlineData ?? part.fileData)?.mimeType ?? '';
  if (mimeType.startsWith('image/')) return 'IMAGE';
  if (mimeType.startsWith('audio/')) return 'AUDIO';
  if (mimeType.startsWith('video/')) return 'VIDEO';
  if (mimeType === 'application/pdf') return 'DOCUMENT';
  return 'TEXT';
}

/** The prompt's tokens per modality, each modality present once, text first; cached tokens count as text. */
function promptTokensDetails(contents: readonly Content[], cached: number): Array<{ modality: string; tokenCount: number }> {
  const byModality = new Map<string, number>([['TEXT', cached]]);
  for (const content of contents) {
    for (const part of content.parts ?? []) {
      const modality = modalityOf(part);
      byModality.set(modality, (byModality.get(modality) ?? 0) + billedPartTokens(part));
    }
  }
  return [...byModality].filter(([, tokenCount]) => tokenCount > 0).map(([modality, tokenCount]) => ({ modality, tokenCount }));
}

/** How much of an answer a citation covers. */
const CITED_CHARACTERS = 40;

/** Tokens the emulator pretends a referenced `cachedContent` holds. */
export const CACHED_CONTENT_TOKENS = 2048;

const VOCABULARY = (
  'the gateway answers every request with care while models stream tokens across regions and budgets keep ' +
  'costs honest so teams ship features faster with retries caching limits and clear errors for each caller'
).split(' ');

/** FNV-1a: a stable 32-bit seed from text. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small seeded PRNG, so answers are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(random: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)] ?? 'token');
  return out.join(' ');
}

function schemaType(schema: JsonSchemaLike | undefined): string {
  const type = Array.isArray(schema?.type) ? schema?.type.find((t) => t !== 'null') : schema?.type;
  return (type ?? (schema?.properties ? 'object' : 'string')).toLowerCase();
}

/** A value that satisfies a (Gemini or JSON) schema: used for function-call args and JSON mode. */
export function sampleFor(schema: JsonSchemaLike | undefined, random: () => number): unknown {
  if (schema?.enum && schema.enum.length > 0) return schema.enum[0];
  switch (schemaType(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema?.properties ?? {})) out[name] = sampleFor(property, random);
      return out;
    }
    case 'array':
      return [sampleFor(schema?.items, random)];
    case 'integer':
      return Math.floor(random() * 100);
    case 'number':
      return Math.round(random() * 10000) / 100;
    case 'boolean':
      return random() < 0.5;
    default:
      return words(random, 2);
  }
}

function lastTurnHasFunctionResponse(contents: Content[] | undefined): boolean {
  const last = contents?.[contents.length - 1];
  return (last?.parts ?? []).some((p) => p.functionResponse !== undefined);
}

function pickFunctionCall(body: GenerateRequestBody, random: () => number): Part | undefined {
  const config = body.toolConfig?.functionCallingConfig;
  if (config?.mode?.toUpperCase() === 'NONE' || lastTurnHasFunctionResponse(body.contents)) return undefined;
  const declarations = (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? []);
  const allowed = config?.allowedFunctionNames;
  const chosen = declarations.find((d) => d.name && (!allowed || allowed.includes(d.name)));
  if (!chosen?.name) return undefined;
  const args = sampleFor(chosen.parametersJsonSchema ?? chosen.parameters ?? { type: 'object' }, random);
  return { functionCall: { name: chosen.name, args: args as Record<string, unknown> } };
}

function thinkingTokens(model: EmulatedModel, body: GenerateRequestBody, random: () => number): number {
  if (!model.thinking) return 0;
  const config = body.generationConfig?.thinkingConfig;
  const natural = 16 + Math.floor(random() * 48);
  if (config?.thinkingBudget === 0) return 0;
  if (config?.thinkingBudget !== undefined && config.thinkingBudget > 0) return Math.min(config.thinkingBudget, natural);
  return natural;
}

function replyText(body: GenerateRequestBody, model: EmulatedModel, random: () => number): string {
  const prompt = textOf(body.contents).replace(/\s+/g, ' ').trim();
  const snippet = prompt.length > 60 ? `${prompt.slice(0, 57)}...` : prompt;
  const schema = body.generationConfig?.responseJsonSchema ?? body.generationConfig?.responseSchema;
  if (body.generationConfig?.responseMimeType === 'application/json') {
    return JSON.stringify(schema ? sampleFor(schema, random) : { answer: words(random, 6) });
  }
  if (lastTurnHasFunctionResponse(body.contents)) {
    const response = body.contents?.at(-1)?.parts?.find((p) => p.functionResponse)?.functionResponse;
    return `Using ${response?.name ?? 'the tool'}: ${JSON.stringify(response?.response ?? {}).slice(0, 80)}.`;
  }
  const length = 12 + Math.floor(random() * 28);
  return `${model.displayName} (emulated) on "${snippet}"${attachmentsNote(body.contents)}: ${words(random, length)}.`;
}

/** Names what media the request carried (type and decoded size), so a round trip can be checked. */
function attachmentsNote(contents: Content[] | undefined): string {
  const notes: string[] = [];
  for (const content of contents ?? []) {
    for (const part of content.parts ?? []) {
      if (part.inlineData) notes.push(`${part.inlineData.mimeType ?? '?'} ${decodedBase64Length(part.inlineData.data ?? '')} bytes`);
      else if (part.fileData) notes.push(`${part.fileData.mimeType ?? '?'} at ${part.fileData.fileUri ?? '?'}`);
    }
  }
  return notes.length > 0 ? ` with ${notes.length} attachment(s): ${notes.join(', ')}` : '';
}

/** Cuts text to about `maxTokens` tokens, on a word boundary when there is one. */
function truncateToTokens(text: string, maxTokens: number): string {
  const cut = text.slice(0, Math.max(1, maxTokens * 4));
  const space = cut.lastIndexOf(' ');
  return space > 0 ? cut.slice(0, space) : cut;
}

export function answerFor(model: EmulatedModel, body: GenerateRequestBody): Answer {
  const count = body.generationConfig?.candidateCount ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_CANDIDATES) throw invalidArgument(`candidateCount must be an integer between 1 and ${MAX_CANDIDATES}; got ${JSON.stringify(count)}.`);
  const stops = body.generationConfig?.stopSequences;
  if (stops !== undefined && !(Array.isArray(stops) && stops.length <= MAX_STOP_SEQUENCES && stops.every((stop) => typeof stop === 'string'))) {
    throw invalidArgument(`stopSequences must be a list of at most ${MAX_STOP_SEQUENCES} strings; got ${JSON.stringify(stops)}.`);
  }
  const requestText = JSON.stringify(body.contents ?? []) + JSON.stringify(body.systemInstruction ?? '');
  const cached = body.cachedContent ? CACHED_CONTENT_TOKENS : 0;
  const promptTokenCount =
    billedContentsTokens(body.contents) + billedContentsTokens(body.systemInstruction ? [body.systemInstruction] : []) + cached;
  const candidates: Candidate[] = [];
  let candidatesTokenCount = 0;
  let thoughtsTokenCount = 0;
  for (let index = 0; index < count; index++) {
    // The first candidate's seed is the request's alone: one candidate is the answer it always was.
    const random = seededRandom(seedOf(`${model.id}\n${requestText}${index > 0 ? `\n${index}` : ''}`));
    const generated = candidateFor(model, body, random);
    candidates.push(generated.candidate);
    candidatesTokenCount += generated.outputTokens;
    thoughtsTokenCount += generated.thoughtsTokens;
  }
  const prompt = [...(body.contents ?? []), ...(body.systemInstruction ? [body.systemInstruction] : [])];
  return {
    candidates,
    usage: { promptTokenCount, candidatesTokenCount, thoughtsTokenCount, cachedContentTokenCount: cached, promptTokensDetails: promptTokensDetails(prompt, cached) },
  };
}

/**
 * Where the model stops: before the first of `stopSequences` in the text (which is left out of the answer,
 * as Gemini leaves it out), else at `maxOutputTokens`.
 */
function stoppedText(text: string, body: GenerateRequestBody): { text: string; finishReason: Candidate['finishReason'] } {
  const stops = (body.generationConfig?.stopSequences ?? []).filter((stop) => stop.length > 0);
  const at = Math.min(...stops.map((stop) => text.indexOf(stop)).filter((index) => index >= 0));
  const upToStop = Number.isFinite(at) ? text.slice(0, at) : text;
  const max = body.generationConfig?.maxOutputTokens;
  if (max !== undefined && max > 0 && estimateTextTokens(upToStop) > max) return { text: truncateToTokens(upToStop, max), finishReason: 'MAX_TOKENS' };
  return { text: upToStop, finishReason: 'STOP' };
}

function candidateFor(model: EmulatedModel, body: GenerateRequestBody, random: () => number): { candidate: Candidate; outputTokens: number; thoughtsTokens: number } {
  const thoughts = thinkingTokens(model, body, random);
  const parts: Part[] = [];
  if (thoughts > 0 && body.generationConfig?.thinkingConfig?.includeThoughts) {
    parts.push({ text: `Thinking about it: ${words(random, 8)}.`, thought: true });
  }
  const functionCall = pickFunctionCall(body, random);
  if (functionCall) {
    parts.push(functionCall);
    return { candidate: { parts, finishReason: 'STOP' }, outputTokens: estimateTextTokens(JSON.stringify(functionCall.functionCall)), thoughtsTokens: thoughts };
  }
  const { text, finishReason } = stoppedText(replyText(body, model, random), body);
  parts.push({ text });
  const uri = /https:\/\/[^\s"'<>]+/.exec(textOf(body.contents ?? []))?.[0];
  const citation = uri !== undefined ? { uri, startIndex: 0, endIndex: Math.min(text.length, CITED_CHARACTERS) } : undefined;
  return { candidate: { parts, finishReason, ...(citation && { citation }) }, outputTokens: estimateTextTokens(text), thoughtsTokens: thoughts };
}

/** A deterministic unit vector for a text: same text, same embedding. */
export function embeddingFor(text: string, dimensions: number): number[] {
  const random = seededRandom(seedOf(text));
  const values = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}
