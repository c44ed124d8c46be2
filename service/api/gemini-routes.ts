/**
 * The Gemini REST surface: every path form the SDKs send (see `protocol/paths.ts`), validated and passed to
 * the upstream, with the answer relayed unary or streamed.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { GoogleApiError } from '../protocol/errors';
import { parseGeminiPath, requireMethodAllowed, type GeminiPath, type ModelCallPath } from '../protocol/paths';
import { framingFor } from '../protocol/stream-format';
import { validateBody } from '../pipeline/validate/validate-body';
import type { Upstream, UpstreamReply } from '../upstream/types';
import { parseJsonBody, requireJsonContentType } from './body';
import { readUnary, relayStream, sendJsonBytes, upstreamErrorOf } from './relay';
import { sendGoogleError } from './render-error';

export interface GeminiRouteOptions {
  upstream: Upstream;
  maxBodyBytes: number;
}

/** An AbortSignal that fires when the client goes away before the response is complete. */
function clientGone(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new GoogleApiError(499, 'The client closed the connection.'));
  });
  req.once('aborted', () => controller.abort());
  return controller.signal;
}

function queryText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

async function unaryOrThrow(reply: UpstreamReply): Promise<Buffer> {
  if (reply.status < 200 || reply.status >= 300) throw await upstreamErrorOf(reply);
  return readUnary(reply);
}

async function serveCall(upstream: Upstream, path: ModelCallPath, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  requireJsonContentType(req);
  const body = parseJsonBody(req.body as Buffer | undefined);
  validateBody(path.method, body.value);
  const reply = await upstream.call({ version: path.version, collection: path.collection, model: path.model, method: path.method, body: body.raw, signal });
  if (path.method !== 'streamGenerateContent') return sendJsonBytes(res, await unaryOrThrow(reply));
  if (reply.status !== 200) throw await upstreamErrorOf(reply);
  await relayStream(res, reply, framingFor({ alt: req.query.alt }), signal);
}

async function serveModels(upstream: Upstream, path: Exclude<GeminiPath, ModelCallPath>, req: Request, res: Response, signal: AbortSignal): Promise<void> {
  const reply = await upstream.models({
    version: path.version,
    collection: path.collection,
    model: path.kind === 'get' ? path.model : undefined,
    pageSize: queryText(req.query.pageSize),
    pageToken: queryText(req.query.pageToken),
    signal,
  });
  sendJsonBytes(res, await unaryOrThrow(reply));
}

export function geminiRoutes(options: GeminiRouteOptions): RequestHandler[] {
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes });

  const route: RequestHandler = function geminiRoute(req: Request, res: Response, next: NextFunction) {
    const path = parseGeminiPath(req.path);
    if (!path) return next();
    requireMethodAllowed(req.method, path);
    const signal = clientGone(req, res);
    const serve = path.kind === 'call' ? serveCall(options.upstream, path, req, res, signal) : serveModels(options.upstream, path, req, res, signal);
    serve.catch((error: unknown) => {
      if (signal.aborted) return res.destroy();
      if (error instanceof GoogleApiError) return sendGoogleError(res, error);
      next(error);
    });
  };
  return [readBody, route];
}
