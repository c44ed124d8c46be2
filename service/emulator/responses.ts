/** Builds the JSON documents the emulator sends, in the shapes Google's API uses for each method. */
import { randomBytes } from 'node:crypto';
import { estimateTextTokens, textOf, type Content, type Part } from '../protocol/content';
import { billedContentsTokens } from './media-tokens';
import { GoogleApiError, invalidArgument, retryInfo } from '../protocol/errors';
import type { PathDialect } from '../protocol/paths';
import { embeddingFor, seedOf, type Answer, type Candidate } from './answers';

export const DEFAULT_EMBEDDING_DIMENSIONS = 768;
const WORDS_PER_CHUNK = 6;

export interface ResponseContext {
  model: string;
  dialect: PathDialect;
  responseId: string;
  createTime: string;
}

export function newResponseContext(model: string, dialect: PathDialect): ResponseContext {
  return { model, dialect, responseId: randomBytes(12).toString('base64url'), createTime: new Date().toISOString() };
}

function envelope(ctx: ResponseContext, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  if (ctx.dialect === 'vertex') out.createTime = ctx.createTime;
  out.modelVersion = ctx.model;
  out.responseId = ctx.responseId;
  return out;
}

export function fullUsage(answer: Answer): Record<string, unknown> {
  const u = answer.usage;
  const usage: Record<string, unknown> = {
    promptTokenCount: u.promptTokenCount,
    candidatesTokenCount: u.candidatesTokenCount,
    totalTokenCount: u.promptTokenCount + u.candidatesTokenCount + u.thoughtsTokenCount,
  };
  if (u.cachedContentTokenCount > 0) usage.cachedContentTokenCount = u.cachedContentTokenCount;
  if (u.thoughtsTokenCount > 0) usage.thoughtsTokenCount = u.thoughtsTokenCount;
  usage.promptTokensDetails = u.promptTokensDetails;
  return usage;
}

/** The Gemini API lists a candidate's sources as `citationSources`, Vertex as `citations`. */
function withCitation(ctx: ResponseContext, answer: Candidate, candidate: Record<string, unknown>): Record<string, unknown> {
  if (!answer.citation) return candidate;
  return { ...candidate, citationMetadata: { [ctx.dialect === 'vertex' ? 'citations' : 'citationSources']: [answer.citation] } };
}

export function unaryResponse(ctx: ResponseContext, answer: Answer): Record<string, unknown> {
  return envelope(ctx, {
    candidates: answer.candidates.map((candidate, index) => withCitation(ctx, candidate, { content: { role: 'model', parts: candidate.parts }, finishReason: candidate.finishReason, index })),
    usageMetadata: fullUsage(answer),
  });
}

export function blockedResponse(ctx: ResponseContext, promptTokenCount: number): Record<string, unknown> {
  return envelope(ctx, {
    candidates: [
      {
        finishReason: 'SAFETY',
        index: 0,
        safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
      },
    ],
    usageMetadata: { promptTokenCount, totalTokenCount: promptTokenCount },
  });
}

/** Splits an answer's parts into stream chunks: thoughts and function calls whole, text by a few words. */
function chunkParts(parts: Part[]): Part[] {
  const chunks: Part[] = [];
  for (const part of parts) {
    if (typeof part.text !== 'string' || part.thought) {
      chunks.push(part);
      continue;
    }
    const words = part.text.split(/(?<= )/);
    for (let i = 0; i < words.length; i += WORDS_PER_CHUNK) chunks.push({ text: words.slice(i, i + WORDS_PER_CHUNK).join('') });
  }
  return chunks.length > 0 ? chunks : [{ text: '' }];
}

/**
 * The chunks of a streamed answer: the candidates side by side, each chunk carrying the next part of each
 * candidate that has one left, and a candidate's finish reason with its last part. So candidates of
 * different lengths finish in different chunks. The last chunk carries the full usage; the others carry the
 * prompt's counts only.
 */
export function streamChunks(ctx: ResponseContext, answer: Answer): Record<string, unknown>[] {
  const promptOnly = { promptTokenCount: answer.usage.promptTokenCount, totalTokenCount: answer.usage.promptTokenCount };
  const partsByCandidate = answer.candidates.map((candidate) => chunkParts(candidate.parts));
  const rounds = Math.max(...partsByCandidate.map((parts) => parts.length));
  return Array.from({ length: rounds }, (_, round) => {
    const candidates = answer.candidates.flatMap((answered, index) => {
      const parts = partsByCandidate[index]!;
      const part = parts[round];
      if (!part) return [];
      const candidate: Record<string, unknown> = { content: { role: 'model', parts: [part] } };
      const finished = round === parts.length - 1;
      if (finished) candidate.finishReason = answered.finishReason;
      candidate.index = index;
      return [finished ? withCitation(ctx, answered, candidate) : candidate];
    });
    return envelope(ctx, { candidates, usageMetadata: round === rounds - 1 ? fullUsage(answer) : promptOnly });
  });
}

interface CountTokensBody {
  contents?: Content[];
  generateContentRequest?: { contents?: Content[]; systemInstruction?: Content };
}

export function countTokensResponse(body: CountTokensBody, dialect: PathDialect): Record<string, unknown> {
  const request = body.generateContentRequest ?? body;
  const system = 'systemInstruction' in request && request.systemInstruction ? [request.systemInstruction] : [];
  const totalTokens = billedContentsTokens(request.contents) + billedContentsTokens(system);
  const out: Record<string, unknown> = { totalTokens };
  if (dialect === 'vertex') out.totalBillableCharacters = textOf(request.contents).replace(/\s/g, '').length;
  out.promptTokensDetails = [{ modality: 'TEXT', tokenCount: totalTokens }];
  return out;
}

export function computeTokensResponse(body: { contents?: Content[] }): Record<string, unknown> {
  const tokensInfo = (body.contents ?? []).map((content) => {
    const pieces = textOf([content]).match(/.{1,4}/gs) ?? [];
    return {
      tokens: pieces.map((p) => Buffer.from(p).toString('base64')),
      tokenIds: pieces.map((p) => String(seedOf(p) % 256000)),
      role: content.role ?? 'user',
    };
  });
  return { tokensInfo };
}

interface EmbedRequest {
  content?: Content;
  outputDimensionality?: number;
}

function embed(request: EmbedRequest | undefined): { values: number[] } {
  if (!request?.content) throw invalidArgument('* EmbedContentRequest.content: content is not specified');
  const dims = request.outputDimensionality ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(dims) || dims < 1 || dims > 3072) throw invalidArgument('outputDimensionality must be between 1 and 3072.');
  return { values: embeddingFor(textOf([request.content]), dims) };
}

export function embedContentResponse(body: EmbedRequest): Record<string, unknown> {
  return { embedding: embed(body) };
}

export function batchEmbedResponse(body: { requests?: EmbedRequest[] }): Record<string, unknown> {
  if (!Array.isArray(body.requests) || body.requests.length === 0) throw invalidArgument('* BatchEmbedContentsRequest.requests: requests is not specified');
  if (body.requests.length > 100) throw invalidArgument('* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch');
  return { embeddings: body.requests.map(embed) };
}

/** Vertex's `:embedContent` (the newer Gemini embedding models): one content, options under `embedContentConfig`. */
export function vertexEmbedContentResponse(body: { content?: Content; embedContentConfig?: { outputDimensionality?: number } }): Record<string, unknown> {
  const embedding = embed({ content: body.content, outputDimensionality: body.embedContentConfig?.outputDimensionality });
  return { embedding, usageMetadata: { promptTokenCount: estimateTextTokens(textOf(body.content ? [body.content] : [])) }, truncated: false };
}

/** Vertex's `:predict` for embedding models: `{"instances":[{"content":"…"}]}`; gemini-embedding-001 takes one instance per request. */
export function predictResponse(model: string, body: { instances?: Array<{ content?: string }>; parameters?: { outputDimensionality?: number } }): Record<string, unknown> {
  if (!Array.isArray(body.instances) || body.instances.length === 0) throw invalidArgument('instances is required.');
  if (model === 'gemini-embedding-001' && body.instances.length > 1) throw invalidArgument(`${model} takes one instance per request; got ${body.instances.length}.`);
  const dims = body.parameters?.outputDimensionality ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const predictions = body.instances.map((instance) => {
    const text = typeof instance.content === 'string' ? instance.content : '';
    return { embeddings: { values: embeddingFor(text, dims), statistics: { truncated: false, token_count: estimateTextTokens(text) } } };
  });
  return { predictions, metadata: { billableCharacterCount: body.instances.reduce((n, i) => n + (i.content?.length ?? 0), 0) } };
}

const FAULT_MESSAGES: Record<number, string> = {
  429: 'You exceeded your current quota, please check your plan and billing details.',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
};

/** The error Google sends for an injected status, with QuotaFailure and RetryInfo on a 429. */
export function injectedError(status: number, model: string, message?: string, retryDelaySeconds = 1): GoogleApiError {
  const text = message ?? FAULT_MESSAGES[status] ?? `Injected failure ${status}.`;
  if (status !== 429) return new GoogleApiError(status, text);
  return new GoogleApiError(status, text, {
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_paid_tier_requests',
            quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
            quotaDimensions: { location: 'global', model },
          },
        ],
      },
      retryInfo(retryDelaySeconds),
    ],
  });
}
