/** The Express application: probes, the Gemini surface, and Google-shaped errors for everything else. */
import express, { type Express, type RequestHandler } from 'express';
import { typedRecordLogger, type Logger } from '../telemetry/logger';
import { collapseSlashes } from '../protocol/paths';
import type { Telemetry } from '../telemetry/types';
import { accessLog } from './access-log';
import { geminiRoutes, type GeminiRouteOptions } from './gemini-routes';
import { healthRoutes, type ReadinessCheck } from './health';
import { openaiRoutes, type OpenAIRouteOptions } from './openai-routes';
import { errorRenderer, notFoundHandler } from './render-error';

export interface AppOptions {
  gemini: GeminiRouteOptions;
  /** The OpenAI-compatible routes (`/v1beta/openai/…`, `/v1/…`); mounted before the Gemini routes. */
  openai?: OpenAIRouteOptions;
  logger: Logger;
  readiness: ReadinessCheck[];
  isDraining: () => boolean;
  telemetry?: Telemetry;
}

/** The legacy SDK turns a base URL ending in `/` into `//v1beta/...`; route it as if written once. */
const collapseDoubleSlashes: RequestHandler = function collapseDoubleSlashes(req, _res, next) {
  const query = req.url.indexOf('?');
  const path = query < 0 ? req.url : req.url.slice(0, query);
  if (path.includes('//')) req.url = collapseSlashes(path) + (query < 0 ? '' : req.url.slice(query));
  next();
};

/** While draining, ask keep-alive clients to reconnect elsewhere. */
function closeWhenDraining(isDraining: () => boolean): RequestHandler {
  return function closeWhenDraining(_req, res, next) {
    if (isDraining()) res.setHeader('connection', 'close');
    next();
  };
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  if (options.telemetry) {
    app.use(options.telemetry.httpMetrics);
    app.get('/metrics', options.telemetry.metricsHandler);
  }
  app.use(accessLog(typedRecordLogger(options.logger)), collapseDoubleSlashes, closeWhenDraining(options.isDraining));
  app.use(healthRoutes(options.readiness, options.isDraining));
  if (options.openai) app.use(openaiRoutes({ logger: options.logger, ...options.openai }));
  app.use(geminiRoutes(options.gemini));
  app.use(notFoundHandler);
  app.use(errorRenderer(options.logger));
  return app;
}
