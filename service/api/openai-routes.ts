/**
 * The OpenAI-compatible surface: `chat/completions`, `embeddings`, `models` and `models/{id}` under
 * `/v1beta/openai/` (Google's own base path) and `/v1/` (for clients that hard-code it). Requests are
 * translated by `service/openai/` and go through the same pipeline as Gemini calls. Every answer and every
 * error on these routes is in OpenAI's shape, never Google's.
 *
 * `/v1/models` and `/v1/models/{id}` are Gemini paths too (`@google/genai` lists models there). A GET on them
 * is answered the OpenAI way only when it looks like an OpenAI client: `Authorization: Bearer`, and none of
 * what Google's SDKs send (`x-goog-api-key`, `?key=`, `x-goog-api-client`) and no Gemini paging parameters.
 * Anything else falls through to the Gemini routes, unchanged. `/v1beta/openai/models` is never ambiguous.
 *
 * A `POST` to `chat/completions` or `embeddings` at either base path is answered by the call lane
 * (`openAICallLane`), before and without Express, as Gemini model calls are: through Express a chat
 * completion cost 0.33 ms of CPU, without it 0.20 ms (a Gemini call on the same gateway: 0.18 ms). The
 * routes below still answer every other spelling of these paths (a trailing slash) and every other method.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Caller, Credentials } from '../pipeline/authenticate';
import type { ModelCallHandler } from '../pipeline/handle-call';
import type { Logger } from '../telemetry/logger';
import type { Upstream } from '../upstream/types';
import { GoogleApiError } from '../protocol/errors';
import { OpenAIRequestError } from '../openai';
import { serveChat } from './openai/chat';
import { serveEmbeddings } from './openai/embeddings';
import { sendOpenAIError } from './openai/http';
import { callLane } from './call-lane';
import { clientGone, clientLeft } from './client-gone';
import type { DrainDeadline } from './drain-deadline';
import { serveModel, serveModelList } from './openai/models';
import { reenterRequestContext } from '../telemetry/context-store';
import { pathOf } from '../protocol/request-target';

export interface OpenAIRouteOptions {
  handleModelCall: ModelCallHandler;
  authenticate: (credentials: Credentials) => Caller;
  /** The upstream that answers models list/get. */
  modelsUpstream: Upstream;
  maxBodyBytes: number;
  identityHeader: string;
  /** OpenAI-style names → Gemini model ids or gateway aliases (`GATEWAY_OPENAI_MODELS`). */
  modelMap: Readonly<Record<string, string>>;
  /** The gateway's aliases (`GATEWAY_MODELS`): listed as models, and resolved to pick the thinking style. */
  aliases: Readonly<Record<string, string>>;
  /** `GATEWAY_OPENAI_ALLOW_REMOTE_IMAGES`. */
  allowRemoteImages: boolean;
  /** `GATEWAY_MAX_PDF_BYTES`: inline media is checked while translating, so a refusal names the OpenAI field. */
  maxPdfBytes: number;
  /** Passed when a shutdown's drain time is up: chat completions still in flight then end with a 503. */
  closing?: DrainDeadline;
  /** Unix seconds reported as every model's `created`; defaults to when the routes were built. */
  startedAt?: number;
  logger?: Logger;
}

/** The options as the handlers see them, defaults filled in. */
export type OpenAIRouteContext = OpenAIRouteOptions & { startedAt: number };
type Serve = (options: OpenAIRouteContext, req: Request, res: Response, signal: AbortSignal) => Promise<void>;

export const OPENAI_BASE_PATHS = ['/v1beta/openai', '/v1'] as const;

/** Whether a GET on `/v1/models[/{id}]` comes from an OpenAI client rather than a Gemini one. */
export function looksLikeOpenAIClient(req: Request): boolean {
  const bearer = /^Bearer\s+\S+$/i.test(req.headers.authorization ?? '');
  const google = req.headers['x-goog-api-key'] !== undefined || req.headers['x-goog-api-client'] !== undefined;
  const query = req.query as Record<string, unknown>;
  const geminiQuery = query.key !== undefined || query.pageSize !== undefined || query.pageToken !== undefined;
  return bearer && !google && !geminiQuery;
}

function handler(options: OpenAIRouteContext, serve: Serve): RequestHandler {
  return function openAIRoute(req: Request, res: Response, next: NextFunction) {
    const signal = clientGone(res, options.closing);
    serve(options, req, res, signal).catch((error: unknown) => {
      if (clientLeft(signal)) return void res.destroy();
      next(error);
    });
  };
}

/** On `/v1/models…`, lets Gemini clients through to the Gemini routes. */
const onlyOpenAIClients: RequestHandler = function onlyOpenAIClients(req, _res, next) {
  next(looksLikeOpenAIClient(req) ? undefined : 'router');
};

function methodNotAllowed(allowed: string): RequestHandler {
  return function methodNotAllowed(req, res) {
    res.setHeader('allow', allowed);
    sendOpenAIError(res, new OpenAIRequestError(`Method ${req.method} is not allowed on ${req.path.slice(0, 100)}; use ${allowed}.`, { status: 405, code: 'method_not_allowed' }));
  };
}

/** Answers a failed request in OpenAI's shape; an error the gateway did not mean to throw is logged as the bug it is. */
function answerFailure(logger: Logger | undefined, error: unknown, path: string, res: ServerResponse): void {
  const known = error instanceof GoogleApiError || error instanceof OpenAIRequestError || (typeof error === 'object' && error !== null && 'type' in error);
  if (!known) logger?.error({ err: error, path }, 'unhandled error in an OpenAI-compatible request');
  sendOpenAIError(res, error);
}

function renderOpenAIError(logger: Logger | undefined): ErrorRequestHandler {
  return function renderOpenAIError(error: unknown, req, res, _next) {
    answerFailure(logger, error, req.path, res);
  };
}

/** A call (a `POST` with a JSON body), served on Node's own request (its body read) and response. */
type ServeCall = (options: OpenAIRouteContext, req: IncomingMessage & { body?: unknown }, res: ServerResponse, signal: AbortSignal) => Promise<void>;

/** The calls, by path under a base path: the routes below and the call lane serve them alike. */
const OPENAI_CALLS: ReadonlyArray<readonly [string, ServeCall]> = [
  ['/chat/completions', serveChat],
  ['/embeddings', serveEmbeddings],
];

/** One router per base path, so `next('router')` on `/v1/models` hands the request to the Gemini routes. */
function routesAt(options: OpenAIRouteContext, base: (typeof OPENAI_BASE_PATHS)[number]): Router {
  const router = Router({ caseSensitive: true });
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes });
  for (const [path, serve] of OPENAI_CALLS) {
    router.post(path, readBody, reenterRequestContext, handler(options, serve));
    router.all(path, methodNotAllowed('POST'));
  }
  if (base === '/v1') router.use('/models', onlyOpenAIClients);
  router.get('/models', handler(options, serveModelList));
  router.get('/models/:id', handler(options, serveModel));
  if (base === '/v1beta/openai') {
    router.all(['/models', '/models/:id'], methodNotAllowed('GET'));
    router.all('/{*rest}', (req, res) => sendOpenAIError(res, new OpenAIRequestError(`Unknown request URL: ${req.method} ${req.originalUrl.split('?')[0]!.slice(0, 200)}.`, { status: 404, code: 'unknown_url' })));
  }
  router.use(renderOpenAIError(options.logger));
  return router;
}

/** The options with their defaults, made once for the routes and the call lane alike. */
export function openAIRouteContext(options: OpenAIRouteOptions): OpenAIRouteContext {
  return { ...options, startedAt: options.startedAt ?? Math.floor(Date.now() / 1000) };
}

export function openaiRoutes(options: OpenAIRouteContext): Router {
  const app = Router({ caseSensitive: true });
  for (const base of OPENAI_BASE_PATHS) app.use(base, routesAt(options, base));
  return app;
}

/** The calls the lane takes, by exact path: the same as the routes' at each base path. */
const LANE_CALLS: ReadonlyMap<string, ServeCall> = new Map(OPENAI_BASE_PATHS.flatMap((base) => OPENAI_CALLS.map(([path, serve]) => [`${base}${path}`, serve] as const)));

/**
 * The OpenAI call lane: takes a `POST` to `chat/completions` or `embeddings` and answers it as the routes
 * would, reading the body with the same reader and ending in the same OpenAI-shaped errors. Returns false,
 * having touched nothing, for any other request.
 */
export function openAICallLane(options: OpenAIRouteContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  const serveWithBody = callLane(options.maxBodyBytes);
  return function serveOpenAICall(req, res) {
    if (req.method !== 'POST') return false;
    const path = pathOf(req.url);
    const serve = LANE_CALLS.get(path);
    if (!serve) return false;
    serveWithBody(
      req,
      res,
      options.closing,
      (error) => answerFailure(options.logger, error, path, res),
      (signal) => serve(options, req, res, signal),
    );
    return true;
  };
}
