/**
 * `POST chat/completions`: the OpenAI request is translated to one Gemini `generateContent` (or
 * `streamGenerateContent`) call that goes through the whole pipeline, and the answer is translated back.
 * A stream's headers go out with its first chunk, so a failure before that is still a plain HTTP error
 * (the `openai` SDK raises the matching class); a failure after it ends the stream with a final
 * `data: {"error":…}` event and no `[DONE]`, which the SDK raises as an `APIError`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  chatToGemini,
  ChatStreamTranslator,
  geminiToChat,
  ignoredChatFields,
  OPENAI_SSE_DONE,
  parseChatRequest,
  sseFrame,
  type ChatStreamOutput,
  type GenerateContentResponse,
} from '../../openai';
import { GatewayShuttingDown, GoogleApiError } from '../../protocol/errors';
import { credentialsOf } from '../gemini-routes';
import { queryOf } from '../../protocol/request-target';
import { writeChunk } from '../relay';
import type { OpenAIRouteContext } from '../openai-routes';
import type { CallOutcome } from '../../pipeline/handle-call';
import { callPath, ignoredHeaders, mappingHeaders, openAIErrorOf, readJsonObject, sendJson, sendOpenAIError, targetModel } from './http';

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function parseEvent(event: string): unknown {
  try {
    return JSON.parse(event) as unknown;
  } catch {
    return { error: { code: 502, message: 'The upstream stream sent an event that is not JSON.', status: 'UNAVAILABLE' } };
  }
}

/** What the answer is written with: the pipeline's outcome, the response headers, and what the translation needs. */
interface ChatAnswer {
  outcome: CallOutcome;
  headers: Record<string, string>;
  context: { model: string; created: number; fallbackId: string };
  includeUsage: boolean;
}

/**
 * The request read, translated and sent through the pipeline. Held here only: what the stream below holds
 * stays in memory until it ends, and the request (the whole conversation) is not needed once the upstream
 * answers.
 */
async function chatAnswer(options: OpenAIRouteContext, req: IncomingMessage & { body?: unknown }, res: ServerResponse, signal: AbortSignal): Promise<ChatAnswer> {
  const credentials = credentialsOf(req, queryOf(req.url), options.identityHeader);
  // Who is calling comes first, as on OpenAI's API: an unknown caller learns nothing about the body.
  options.authenticate(credentials);
  const json = readJsonObject(req);
  const request = parseChatRequest(json);
  const target = targetModel(request.model, options.modelMap);
  const resolved = options.aliases[target.model] ?? target.model;
  const { model, body } = chatToGemini(request, { model: target.model, allowRemoteImages: options.allowRemoteImages, thinkingModel: resolved, maxPdfBytes: options.maxPdfBytes });
  const stream = request.stream === true;
  const requestId = randomUUID();
  // Until the answer is ready; the stream watches for the drain deadline itself.
  const stopWatching = options.closing?.watch(() => sendOpenAIError(res, new GatewayShuttingDown()));
  let outcome: CallOutcome;
  try {
    outcome = await options.handleModelCall({
      path: callPath(model, stream ? 'streamGenerateContent' : 'generateContent'),
      raw: Buffer.from(JSON.stringify(body)),
      body,
      credentials,
      cacheControl: typeof req.headers['cache-control'] === 'string' ? req.headers['cache-control'] : undefined,
      signal,
    });
  } finally {
    stopWatching?.();
  }
  return {
    outcome,
    headers: { ...outcome.headers, ...mappingHeaders(target), ...ignoredHeaders(ignoredChatFields(json)), 'x-request-id': requestId },
    context: { model: request.model, created: nowSeconds(), fallbackId: requestId },
    includeUsage: request.stream_options?.include_usage === true,
  };
}

export async function serveChat(options: OpenAIRouteContext, req: IncomingMessage & { body?: unknown }, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const { outcome, headers, context, includeUsage } = await chatAnswer(options, req, res, signal);
  if (outcome.answer.kind === 'unary') {
    // Answered with a 503 meanwhile (the drain time of a shutdown is up): the late answer has nowhere to go.
    if (res.headersSent) return;
    let answer: GenerateContentResponse;
    try {
      answer = JSON.parse(outcome.answer.body.toString('utf8')) as GenerateContentResponse;
    } catch {
      throw new GoogleApiError(502, 'The upstream answer is not JSON.');
    }
    sendJson(res, 200, headers, geminiToChat(answer, context));
    return;
  }

  const events = outcome.answer.events;
  const translator = new ChatStreamTranslator({ ...context, includeUsage });
  let started = false;
  const start = (): void => {
    started = true;
    res.statusCode = 200;
    for (const [name, header] of Object.entries(headers)) res.setHeader(name, header);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
  };
  /** Writes outputs; returns false once an error (or the drain deadline) has ended the response. */
  const send = async (outputs: ChatStreamOutput[]): Promise<boolean> => {
    for (const output of outputs) {
      if (res.writableEnded) return false;
      if (output.kind === 'error') {
        if (!started) {
          sendJson(res, output.error.status, { ...headers, ...output.error.headers }, output.error.body);
        } else {
          res.end(sseFrame(output));
        }
        return false;
      }
      if (!started) start();
      await writeChunk(res, sseFrame(output), signal);
    }
    return true;
  };
  // The drain time is up: the stream ends with an error event, never a silent close that reads as whole.
  const stopWatchingStream = options.closing?.watch(() => {
    if (res.destroyed || res.writableEnded) return;
    if (!started) sendOpenAIError(res, new GatewayShuttingDown());
    else res.end(`data: ${JSON.stringify(openAIErrorOf(new GatewayShuttingDown()).body)}\n\n`);
  });
  try {
    for await (const event of events) {
      if (!(await send(translator.push(parseEvent(event))))) return;
    }
    if (!signal.aborted && !(await send(translator.finish()))) return;
  } catch (error) {
    if (signal.aborted || res.destroyed || res.writableEnded) return;
    if (!started) throw error;
    res.end(`data: ${JSON.stringify(openAIErrorOf(error).body)}\n\n`);
    return;
  } finally {
    stopWatchingStream?.();
    // Stops the upstream read when the client left early (the generator's cleanup cancels it).
    if (signal.aborted) await events.return(undefined).catch(() => undefined);
  }
  if (signal.aborted || res.writableEnded) return;
  res.end(OPENAI_SSE_DONE);
}
