/**
 * `POST embeddings`: OpenAI's up-to-2048 inputs become `batchEmbedContents` calls of at most 100 (Gemini's
 * limit), made one after another, each through the whole pipeline (token limits, budgets, cache, retries,
 * accounting), and joined back in order; the caller's rpm counts the request once. One failed batch fails
 * the request: no partial list.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { embeddingsToGemini, geminiToEmbeddings, ignoredEmbeddingsFields, parseEmbeddingsRequest, type BatchEmbedContentsResponse } from '../../openai';
import { GoogleApiError } from '../../protocol/errors';
import type { SplitRequest } from '../../pipeline/handle-call';
import { credentialsOf } from '../gemini-routes';
import { queryOf } from '../../protocol/request-target';
import type { OpenAIRouteContext } from '../openai-routes';
import { callPath, ignoredHeaders, mappingHeaders, readJsonObject, sendJson, targetModel } from './http';

export async function serveEmbeddings(options: OpenAIRouteContext, req: IncomingMessage & { body?: unknown }, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const credentials = credentialsOf(req, queryOf(req.url), options.identityHeader);
  options.authenticate(credentials);
  const json = readJsonObject(req);
  const request = parseEmbeddingsRequest(json);
  const target = targetModel(request.model, options.modelMap);
  const call = embeddingsToGemini(request, { model: target.model });
  const answers: BatchEmbedContentsResponse[] = [];
  let upstreamHeaders: Record<string, string> = {};
  // The caller's rpm counts this request once, whatever the number of batches.
  const splitRequest: SplitRequest = { countedAgainstRpm: false };
  for (const batch of call.batches) {
    const outcome = await options.handleModelCall({
      path: callPath(call.model, 'batchEmbedContents'),
      raw: Buffer.from(JSON.stringify(batch)),
      body: batch as unknown as Record<string, unknown>,
      credentials,
      cacheControl: typeof req.headers['cache-control'] === 'string' ? req.headers['cache-control'] : undefined,
      signal,
      splitRequest,
    });
    if (outcome.answer.kind !== 'unary') throw new GoogleApiError(502, 'The upstream streamed an embeddings answer.');
    try {
      answers.push(JSON.parse(outcome.answer.body.toString('utf8')) as BatchEmbedContentsResponse);
    } catch {
      throw new GoogleApiError(502, 'The upstream embeddings answer is not JSON.');
    }
    upstreamHeaders = outcome.headers;
  }
  const headers = { ...upstreamHeaders, ...mappingHeaders(target), ...ignoredHeaders(ignoredEmbeddingsFields(json)), 'x-request-id': randomUUID() };
  sendJson(res, 200, headers, geminiToEmbeddings(answers, call, { model: request.model }));
}
