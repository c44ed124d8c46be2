/** What the rest of the service gets from telemetry: event sinks for the pipeline, HTTP metrics, /metrics. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { PipelineEvents, Tracing } from '../pipeline/events';

/**
 * A step every request passes through, on Node's own request and response (no Express: model calls are
 * served without it). `next` runs the rest of the chain.
 */
export type HttpMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface Telemetry {
  events: PipelineEvents;
  tracing: Tracing;
  /** Records `http.server.request.duration` for every request except `/metrics` itself. */
  httpMetrics: HttpMiddleware;
  /** Serves the Prometheus text exposition (mounted at `GET /metrics`). */
  metricsHandler: RequestHandler;
  shutdown(): Promise<void>;
}
