/** What the rest of the service gets from telemetry: event sinks for the pipeline, HTTP metrics, /metrics. */
import type { RequestHandler } from 'express';
import type { PipelineEvents, Tracing } from '../pipeline/events';

export interface Telemetry {
  events: PipelineEvents;
  tracing: Tracing;
  /** Records `http.server.request.duration` for every request except `/metrics` itself. */
  httpMetrics: RequestHandler;
  /** Serves the Prometheus text exposition (mounted at `GET /metrics`). */
  metricsHandler: RequestHandler;
  shutdown(): Promise<void>;
}
