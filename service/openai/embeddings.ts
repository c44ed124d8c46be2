/**
 * OpenAI Embeddings ⇄ Gemini `batchEmbedContents`. OpenAI takes up to 2048 inputs per call, Gemini 100 per
 * batch, so the request side splits the inputs into batches (in order) and the response side joins the
 * batches' answers back (in the same order). Usage is estimated, because Gemini's embedding answers carry
 * no token counts: `estimateTextTokens` (about four characters per token), the gateway's one heuristic.
 */
import { estimateTextTokens } from '../protocol/content';
import { GoogleApiError } from '../protocol/errors';
import type { EmbeddingsRequest } from './schemas';
import { normalizeModelName } from './to-gemini';
import type { EmbeddingData, EmbeddingsResponse } from './types';

/** Gemini's limit on requests in one `batchEmbedContents` call. */
export const GEMINI_EMBED_BATCH_LIMIT = 100;

export interface BatchEmbedContentsBody {
  requests: Array<{ model: string; content: { parts: Array<{ text: string }> }; outputDimensionality?: number }>;
}

export interface EmbeddingsCall {
  model: string;
  /** One body per `:batchEmbedContents` call, to send in order. */
  batches: BatchEmbedContentsBody[];
  /** The inputs, in order, as OpenAI numbers them. */
  inputs: string[];
  encodingFormat: 'float' | 'base64';
}

export interface BatchEmbedContentsResponse {
  embeddings?: Array<{ values?: number[] }>;
  [other: string]: unknown;
}

export function embeddingsToGemini(req: EmbeddingsRequest, options: { model?: string; maxBatchSize?: number } = {}): EmbeddingsCall {
  const model = normalizeModelName(options.model ?? req.model);
  const inputs = typeof req.input === 'string' ? [req.input] : [...req.input];
  const size = Math.max(1, Math.min(options.maxBatchSize ?? GEMINI_EMBED_BATCH_LIMIT, GEMINI_EMBED_BATCH_LIMIT));
  const batches: BatchEmbedContentsBody[] = [];
  for (let at = 0; at < inputs.length; at += size) {
    batches.push({
      requests: inputs.slice(at, at + size).map((text) => {
        const request: BatchEmbedContentsBody['requests'][number] = { model: `models/${model}`, content: { parts: [{ text }] } };
        if (req.dimensions !== undefined) request.outputDimensionality = req.dimensions;
        return request;
      }),
    });
  }
  return { model, batches, inputs, encodingFormat: req.encoding_format ?? 'float' };
}

/** float32 little-endian bytes, base64: what OpenAI sends for `encoding_format: "base64"`. */
export function float32Base64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/**
 * Joins the batches' answers into OpenAI's list. An answer with the wrong number of embeddings, or an
 * embedding without numbers, is the upstream's fault: a 502, not a half-filled list.
 */
export function geminiToEmbeddings(responses: readonly BatchEmbedContentsResponse[], call: EmbeddingsCall, ctx: { model: string }): EmbeddingsResponse {
  const vectors = responses.flatMap((r) => (Array.isArray(r?.embeddings) ? r.embeddings : []));
  if (vectors.length !== call.inputs.length) {
    throw new GoogleApiError(502, `Upstream returned ${vectors.length} embeddings for ${call.inputs.length} inputs.`);
  }
  const data = vectors.map((vector, index): EmbeddingData => {
    const values = vector?.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw new GoogleApiError(502, `Upstream embedding ${index} has no values.`);
    }
    return { object: 'embedding', index, embedding: call.encodingFormat === 'base64' ? float32Base64(values) : values };
  });
  const tokens = call.inputs.reduce((sum, text) => sum + estimateTextTokens(text), 0);
  return { object: 'list', data, model: ctx.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
