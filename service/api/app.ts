/**
 * The gateway's HTTP handler. Every request passes the same steps on Node's own request and response:
 * telemetry, the access line, double slashes collapsed, `Connection: close` while draining. Then a Gemini
 * model call goes down the model-call lane, an OpenAI chat completion or embedding down the OpenAI call
 * lane, and everything else to the Express application: probes, `/metrics`, the rest of the
 * OpenAI-compatible surface, models list/get, and Google-shaped errors for whatever matches nothing.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { typedRecordLogger, type Logger } from '../telemetry/logger';
import { collapseSlashes } from '../protocol/paths';
import { pathOf } from '../protocol/request-target';
import type { HttpMiddleware, Telemetry } from '../telemetry/types';
import { METRICS_PATH } from '../telemetry/operational-paths';
import type { AccessLogMode } from '../config/settings';
import { accessLog } from './access-log';
import { geminiRoutes, modelCallLane, type GeminiRouteOptions } from './gemini-routes';
import { healthRoutes, type ReadinessCheck } from './health';
import { openAICallLane, openAIRouteContext, openaiRoutes, type OpenAIRouteContext, type OpenAIRouteOptions } from './openai-routes';
import { errorRenderer, notFoundHandler } from './render-error';

export interface AppOptions {
  gemini: GeminiRouteOptions;
  /** The OpenAI-compatible routes (`/v1beta/openai/…`, `/v1/…`); mounted before the Gemini routes. */
  openai?: OpenAIRouteOptions;
  logger: Logger;
  /** Which requests get an access line. */
  accessLog: AccessLogMode;
  readiness: ReadinessCheck[];
  isDraining: () => boolean;
  telemetry?: Telemetry;
}

/** The legacy SDK turns a base URL ending in `/` into `//v1beta/...`; route it as if written once. */
function collapseDoubleSlashes(req: IncomingMessage): void {
  const url = req.url ?? '/';
  const path = pathOf(url);
  if (path.includes('//') && url.startsWith(path)) req.url = collapseSlashes(path) + url.slice(path.length);
}

/** Everything but model calls and OpenAI calls (chat completions, embeddings). */
function createExpressApp(options: AppOptions, openai: OpenAIRouteContext | undefined): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  if (options.telemetry) app.get(METRICS_PATH, options.telemetry.metricsHandler);
  app.use(healthRoutes(options.readiness, options.isDraining));
  if (openai) app.use(openaiRoutes(openai));
  app.use(geminiRoutes(options.gemini));
  app.use(notFoundHandler);
  app.use(errorRenderer(options.logger));
  return app;
}

export function createApp(options: AppOptions): RequestListener {
  const openai = options.openai && openAIRouteContext({ logger: options.logger, ...options.openai });
  const app = createExpressApp(options, openai);
  const serveModelCall = modelCallLane(options.gemini, options.logger);
  const serveOpenAICall = openai ? openAICallLane(openai) : () => false;
  const logAccess = accessLog(typedRecordLogger(options.logger), options.accessLog);
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    collapseDoubleSlashes(req);
    // While draining, ask keep-alive clients to reconnect elsewhere.
    if (options.isDraining()) res.setHeader('connection', 'close');
    if (!serveModelCall(req, res) && !serveOpenAICall(req, res)) app(req, res);
  };
  const telemetry: HttpMiddleware | undefined = options.telemetry?.httpMetrics;
  return function handleRequest(req, res) {
    const logged = (): void => logAccess(req, res, () => route(req, res));
    if (telemetry) telemetry(req, res, logged);
    else logged();
  };
}
