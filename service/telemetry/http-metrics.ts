/**
 * The HTTP server middleware: one SERVER span per request (continuing an incoming W3C `traceparent`), the
 * `http.server.request.duration` histogram with bounded attributes (method, route template, status code,
 * error type), in-flight requests, and `gateway.requests` by outcome for the Gemini routes. `/metrics` itself
 * is not recorded. First in the chain, so it sees every request; it never fails one.
 */
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { diag, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { RequestOutcome } from '../pipeline/events';
import { oneOf } from './bounded-values';
import { rememberRequestContext, withContext } from './context-store';
import type { Instruments } from './instruments';
import { METRICS_PATH } from './operational-paths';
import type { HttpMiddleware } from './types';
import { matchRoute, FIXED_ROUTES } from './route-template';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
  GATEWAY_ATTRIBUTES as G,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
} from './semconv';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'];

/** `error.type` for a request whose client went away before the response was complete. */
export const ABORTED_ERROR_TYPE = 'aborted';

/** A request's outcome, from its status code (and whether the client left first). */
export function outcomeOf(status: number, aborted: boolean): RequestOutcome {
  if (aborted || status === 499) return 'cancelled';
  if (status < 400) return 'success';
  if (status === 429) return 'rejected';
  if (status < 500) return 'client_error';
  return 'upstream_error';
}

export interface HttpTelemetryOptions {
  instruments: Instruments;
  tracer: Tracer;
  modelLabel: (model: string) => string;
}

const propagator = new W3CTraceContextPropagator();
const fixedRoutes = new Set<string>(FIXED_ROUTES);

export function createHttpMetrics(options: HttpTelemetryOptions): HttpMiddleware {
  const { instruments: m, tracer } = options;

  /** @param method the request's method, already bounded to the known ones. */
  function record(method: string, res: ServerResponse, started: number, route: string | undefined, model: string | undefined, span: ReturnType<Tracer['startSpan']>): void {
    const aborted = !res.writableFinished;
    const status = res.statusCode;
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: method };
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    if (res.headersSent) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = status;
    if (aborted) attributes[ATTR_ERROR_TYPE] = ABORTED_ERROR_TYPE;
    else if (status >= 500) attributes[ATTR_ERROR_TYPE] = String(status);

    m.httpServerDuration.record((performance.now() - started) / 1000, attributes);
    m.httpServerActiveRequests.add(-1);
    if (route !== undefined && !fixedRoutes.has(route)) {
      const outcome = outcomeOf(status, aborted);
      m.requests.add(1, model !== undefined ? { [ATTR_GEN_AI_REQUEST_MODEL]: model, [G.OUTCOME]: outcome } : { [G.OUTCOME]: outcome });
    }
    if (span.isRecording()) {
      span.setAttributes(attributes);
      if (aborted || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  return function httpTelemetry(req, res, next) {
    let proceed: () => void = () => next();
    try {
      const match = matchRoute(req.url ?? '/');
      if (match?.route === METRICS_PATH) return next();
      const started = performance.now();
      const model = match?.model !== undefined ? options.modelLabel(match.model) : undefined;
      const method = oneOf(req.method ?? '', METHODS, HTTP_REQUEST_METHOD_VALUE_OTHER);
      const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const span = tracer.startSpan(match ? `${method} ${match.route}` : method, { kind: SpanKind.SERVER }, parent);
      // Set after the sampling decision (which reads no attributes): most spans are not recorded.
      if (span.isRecording()) {
        span.setAttributes({ [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_SCHEME]: (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http', ...(match ? { [ATTR_HTTP_ROUTE]: match.route } : {}) });
      }
      const ctx = trace.setSpan(parent, span);
      rememberRequestContext(req, ctx);
      m.httpServerActiveRequests.add(1);
      // A response emits 'close' exactly once, whether it finished (right after 'finish') or its client left.
      res.once('close', () => {
        try {
          record(method, res, started, match?.route, model, span);
        } catch (error) {
          diag.error('gateway telemetry: recording an HTTP request failed', error);
        }
      });
      proceed = () => withContext(ctx, () => next());
    } catch (error) {
      diag.error('gateway telemetry: HTTP middleware failed', error);
    }
    proceed();
  };
}
