/**
 * The Gemini REST surface: every path form the SDKs send (see `protocol/paths.ts`).
 *
 * A model call (`POST …/models/{m}:{method}`) is served on Node's own request and response, without Express:
 * it is nearly every request the gateway gets, and Express's routing and request/response decoration cost
 * about as much CPU as the whole pipeline behind it (`npm run bench`). Models list/get, and a model path
 * asked with the wrong method, stay on Express with every other route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Caller, Credentials } from '../pipeline/authenticate';
import type { CallOutcome, ModelCallHandler } from '../pipeline/handle-call';
import { GatewayShuttingDown, GoogleApiError } from '../protocol/errors';
import { parseGeminiPath, requireMethodAllowed, type GeminiPath, type ModelCallPath } from '../protocol/paths';
import { framingFor } from '../protocol/stream-format';
import { readUnary, rejectionOf } from '../upstream/read-reply';
import type { Upstream } from '../upstream/types';
import type { Logger } from '../telemetry/logger';
import { parseJsonBody, requireJsonContentType, takeBody } from './body';
import { callLane } from './call-lane';
import { clientGone } from './client-gone';
import type { DrainDeadline } from './drain-deadline';
import { sendJsonBytes, writeEvents } from './relay';
import { renderError, sendGoogleError } from './render-error';
import { pathOf, queryOf } from '../protocol/request-target';

export interface GeminiRouteOptions {
  handleModelCall: ModelCallHandler;
  authenticate: (credentials: Credentials) => Caller;
  /** The upstream that answers models list/get. */
  modelsUpstream: Upstream;
  maxBodyBytes: number;
  identityHeader: string;
  /** Passed when a shutdown's drain time is up: model calls still in flight then end with a 503. */
  closing?: DrainDeadline;
  /** The model a name stands for (an alias, a retired id): models.get answers for it. Default: the name. */
  modelNamed?: (name: string) => string;
}

type Query = Record<string, unknown>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Who the request says it is: `x-goog-api-key` (or `?key=`), `Authorization: Bearer`, and the identity header. */
export function credentialsOf(req: IncomingMessage, query: Query, identityHeader: string): Credentials {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return { apiKey: text(req.headers['x-goog-api-key']) ?? text(query.key), bearer, identity: text(req.headers[identityHeader]) };
}

async function serveCall(options: GeminiRouteOptions, path: ModelCallPath, req: IncomingMessage, res: ServerResponse, query: Query, signal: AbortSignal): Promise<void> {
  const outcome = await answerTo(options, path, req, res, query, signal);
  if (outcome.answer.kind === 'unary') return sendJsonBytes(res, outcome.answer.body, outcome.headers);
  await writeEvents(res, outcome.answer.events, framingFor(query), outcome.headers, signal, options.closing);
}

/**
 * The pipeline's answer. The body is read and held here only: what a stream's writer holds stays in memory
 * until the stream ends, and the request is not needed once the upstream answers.
 */
async function answerTo(options: GeminiRouteOptions, path: ModelCallPath, req: IncomingMessage, res: ServerResponse, query: Query, signal: AbortSignal): Promise<CallOutcome> {
  requireJsonContentType(req);
  const body = parseJsonBody(takeBody(req));
  // Until its answer is ready; the stream writer watches for the drain deadline itself.
  const stopWatching = options.closing?.watch(() => sendGoogleError(res, new GatewayShuttingDown()));
  try {
    return await options.handleModelCall({
      path,
      raw: body.raw,
      body: body.value,
      credentials: credentialsOf(req, query, options.identityHeader),
      cacheControl: text(req.headers['cache-control']),
      signal,
    });
  } finally {
    stopWatching?.();
  }
}

/**
 * The model-call lane: takes a `POST` whose path is a Gemini model call and answers it, reading the body
 * with the same reader (limit, `Content-Encoding`) and ending in the same Google-shaped errors as every
 * other route. Returns false, having touched nothing, for any other request.
 */
export function modelCallLane(options: GeminiRouteOptions, logger: Logger): (req: IncomingMessage, res: ServerResponse) => boolean {
  const serveWithBody = callLane(options.maxBodyBytes);
  return function serveModelCall(req, res) {
    if (req.method !== 'POST') return false;
    const path = pathOf(req.url);
    let parsed: GeminiPath | undefined;
    try {
      parsed = parseGeminiPath(path);
    } catch {
      // A malformed id in a model path: the routes answer it (with the 404 they have always given).
      return false;
    }
    if (parsed?.kind !== 'call') return false;
    const call = parsed;
    serveWithBody(
      req,
      res,
      options.closing,
      (error) => renderError(error, res, logger, path),
      (signal) => serveCall(options, call, req, res, queryOf(req.url), signal),
    );
    return true;
  };
}

async function serveModels(options: GeminiRouteOptions, path: Exclude<GeminiPath, ModelCallPath>, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  options.authenticate(credentialsOf(req, req.query, options.identityHeader));
  const reply = await options.modelsUpstream.models({
    version: path.version,
    dialect: path.dialect,
    collection: path.collection,
    // An alias (or a retired id) is answered with the model it stands for, as a call to it would be served.
    model: path.kind === 'get' ? (options.modelNamed?.(path.model) ?? path.model) : undefined,
    pageSize: text(req.query.pageSize),
    pageToken: text(req.query.pageToken),
    signal,
  });
  if (reply.status < 200 || reply.status >= 300) throw await rejectionOf(reply);
  sendJsonBytes(res, await readUnary(reply));
}

/** Models list/get, and the 405 for a model path asked with a method it does not take (model calls come through the lane). */
export function geminiRoutes(options: GeminiRouteOptions): RequestHandler {
  return function geminiRoute(req: Request, res: Response, next: NextFunction) {
    const path = parseGeminiPath(req.path);
    if (!path) return next();
    requireMethodAllowed(req.method, path);
    // Unreachable: every POST to a model path is taken by the lane first. A plain Error, so it is logged as the bug it would be.
    if (path.kind === 'call') return next(new Error('A model call reached the Express routes instead of the model-call lane.'));
    const signal = clientGone(res);
    serveModels(options, path, req, res, signal).catch((error: unknown) => {
      if (signal.aborted) return res.destroy();
      if (error instanceof GoogleApiError) return sendGoogleError(res, error);
      next(error);
    });
  };
}
