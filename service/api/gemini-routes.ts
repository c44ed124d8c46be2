/**
 * The Gemini REST surface: every path form the SDKs send (see `protocol/paths.ts`). A model call goes
 * through the pipeline and its answer is written unary or streamed; models list/get are relayed.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Caller, Credentials } from '../pipeline/authenticate';
import type { ModelCallHandler } from '../pipeline/handle-call';
import { GoogleApiError } from '../protocol/errors';
import { parseGeminiPath, requireMethodAllowed, type GeminiPath, type ModelCallPath } from '../protocol/paths';
import { framingFor } from '../protocol/stream-format';
import { readUnary, rejectionOf } from '../upstream/read-reply';
import type { Upstream } from '../upstream/types';
import { parseJsonBody, requireJsonContentType } from './body';
import { sendJsonBytes, writeEvents } from './relay';
import { sendGoogleError } from './render-error';
import { reenterRequestContext } from '../telemetry/context-store';

export interface GeminiRouteOptions {
  handleModelCall: ModelCallHandler;
  authenticate: (credentials: Credentials) => Caller;
  /** The upstream that answers models list/get. */
  modelsUpstream: Upstream;
  maxBodyBytes: number;
  identityHeader: string;
}

/** An AbortSignal that fires when the client goes away before the response is complete. */
function clientGone(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new GoogleApiError(499, 'The client closed the connection.'));
  });
  return controller.signal;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function credentialsOf(req: Request, identityHeader: string): Credentials {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return { apiKey: text(req.headers['x-goog-api-key']) ?? text(req.query.key), bearer, identity: text(req.headers[identityHeader]) };
}

async function serveCall(options: GeminiRouteOptions, path: ModelCallPath, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  requireJsonContentType(req);
  const body = parseJsonBody(req.body as Buffer | undefined);
  const outcome = await options.handleModelCall({
    path,
    raw: body.raw,
    body: body.value,
    credentials: credentialsOf(req, options.identityHeader),
    cacheControl: text(req.headers['cache-control']),
    signal,
  });
  if (outcome.answer.kind === 'unary') return sendJsonBytes(res, outcome.answer.body, outcome.headers);
  await writeEvents(res, outcome.answer.events, framingFor({ alt: req.query.alt }), outcome.headers, signal);
}

async function serveModels(options: GeminiRouteOptions, path: Exclude<GeminiPath, ModelCallPath>, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  options.authenticate(credentialsOf(req, options.identityHeader));
  const reply = await options.modelsUpstream.models({
    version: path.version,
    collection: path.collection,
    model: path.kind === 'get' ? path.model : undefined,
    pageSize: text(req.query.pageSize),
    pageToken: text(req.query.pageToken),
    signal,
  });
  if (reply.status < 200 || reply.status >= 300) throw await rejectionOf(reply);
  sendJsonBytes(res, await readUnary(reply));
}

export function geminiRoutes(options: GeminiRouteOptions): RequestHandler[] {
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes });

  const route: RequestHandler = function geminiRoute(req: Request, res: Response, next: NextFunction) {
    const path = parseGeminiPath(req.path);
    if (!path) return next();
    requireMethodAllowed(req.method, path);
    const signal = clientGone(req, res);
    const serve = path.kind === 'call' ? serveCall(options, path, req, res, signal) : serveModels(options, path, req, res, signal);
    serve.catch((error: unknown) => {
      if (signal.aborted) return res.destroy();
      if (error instanceof GoogleApiError) return sendGoogleError(res, error);
      next(error);
    });
  };
  return [readBody, reenterRequestContext, route];
}
