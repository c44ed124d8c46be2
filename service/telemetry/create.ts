/**
 * Builds the gateway's `Telemetry`: a MeterProvider whose Prometheus reader is served on the app's own
 * `/metrics`, a TracerProvider (OTLP, in-memory or no export; ratio sampling that follows an incoming
 * parent), runtime metrics, and the pipeline's event sinks.
 *
 * Nothing is registered globally: the providers belong to the returned object, and the active span lives in
 * this package's own AsyncLocalStorage (`context-store.ts`). Two gateways can therefore run in one test
 * process, each with its own metrics. (`@opentelemetry/sdk-node`'s NodeSDK is not used for that reason: its
 * `start()` registers global providers, a context manager and a propagator.) OTLP export reads the standard
 * `OTEL_EXPORTER_OTLP_*` environment variables.
 */
import type { RequestHandler } from 'express';
import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricProducer, type MetricReader } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { PipelineEvents, Tracing } from '../pipeline/events';
import { firstSeenModelLabel } from './bounded-values';
import { createHttpMetrics } from './http-metrics';
import { CARDINALITY_LIMIT, catalogueViews, createInstruments } from './instruments';
import { BudgetRatios, createPipelineEvents, createTracing, observeBudgets } from './pipeline-events';
import type { TracesExporter } from '../config/settings';
import { cloudTraceExporter, type CloudTraceTarget } from './cloud-trace';
import { RateLimitedSampler } from './rate-limited-sampler';
import { RuntimeMetrics } from './runtime-metrics';
import { ATTR_GCP_PROJECT_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './semconv';
import { SummedHistograms } from './summed-histogram';
import { traceFields, type TraceFields } from './logger';
import type { Telemetry } from './types';

/** The instrumentation scope every gateway instrument and span belongs to. */
export const SCOPE_NAME = 'gemini-gateway';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /**
   * `otlp`: batch-export spans over OTLP/HTTP; `cloud-trace`: batch-export them to Cloud Trace (`cloudTrace`
   * says where and as whom); `memory`: keep them in `spanExporter` (tests); `none`: no export.
   */
  tracesExporter: TracesExporter | 'memory';
  /** For `otlp`: the traces URL. Default: the exporter's own (`OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`). */
  tracesEndpoint?: string;
  /** For `cloud-trace` (required with it). */
  cloudTrace?: CloudTraceTarget;
  /** Fraction of new traces sampled (0..1); a request with a sampled parent follows it (`callerTracesPerSecond`). */
  sampleRatio: number;
  /** Most new traces sampled a second (`RateLimitedSampler`); undefined or 0: no cap, the ratio alone. */
  tracesPerSecond?: number;
  /** With an exporter, most traces a caller sampled that are recorded a second; undefined or 0: every one. */
  callerTracesPerSecond?: number;
  /** For `otlp` and `cloud-trace`: how finished spans are batched for export. Default: the SDK's (OpenTelemetry's). */
  spanExport?: SpanExportOptions;
  /** For `memory` (tests): where spans go; a fresh InMemorySpanExporter when omitted. */
  spanExporter?: SpanExporter;
  /** Model id → label value; unknown ids must map to `other`. Default: the first 50 ids seen, then `other`. */
  modelLabel?: (model: string) => string;
  /**
   * Extra metric readers (tests read instruments directly through one), made with the producers every reader
   * needs (`metricProducers`: the histograms, which are not SDK instruments).
   */
  metricReaders?: (metricProducers: MetricProducer[]) => MetricReader[];
  /**
   * Also serve `/metrics` on this port (a second listener, e.g. kept off the public ingress). The app's own
   * `GET /metrics` keeps working either way. Default: no second listener.
   */
  metricsPort?: number;
  /** Interface for `metricsPort`. Default `0.0.0.0`. */
  metricsHost?: string;
}

/** The batch span processor's settings (the `OTEL_BSP_*` variables, which the SDK no longer reads itself). */
export interface SpanExportOptions {
  delayMs: number;
  batchSize: number;
  queueSize: number;
  timeoutMs: number;
}

export interface GatewayTelemetry extends Telemetry {
  events: PipelineEvents;
  tracing: Tracing;
  /** The in-memory span exporter when `tracesExporter` is `memory`. */
  spanExporter?: SpanExporter;
  /** Cloud Logging trace fields for the active span (`{}` outside a span). */
  traceFields(projectId: string): TraceFields;
  /** Exports pending spans (tests, and before shutdown). */
  flushSpans(): Promise<void>;
}

function spanProcessorFor(options: TelemetryOptions): { processor?: SpanProcessor; exporter?: SpanExporter } {
  switch (options.tracesExporter) {
    case 'none':
      return {};
    case 'memory': {
      const exporter = options.spanExporter ?? new InMemorySpanExporter();
      return { processor: new SimpleSpanProcessor({ exporter }), exporter };
    }
    case 'otlp':
      return batched(options.spanExporter ?? new OTLPTraceExporter(options.tracesEndpoint ? { url: options.tracesEndpoint } : {}), options.spanExport);
    case 'cloud-trace':
      if (!options.cloudTrace) throw new Error('The cloud-trace span exporter needs its target (cloudTrace).');
      return batched(options.spanExporter ?? cloudTraceExporter(options.cloudTrace), options.spanExport);
  }
}

function batched(exporter: SpanExporter, batching: SpanExportOptions | undefined): { processor: SpanProcessor; exporter: SpanExporter } {
  const processor = new BatchSpanProcessor({
    exporter,
    ...(batching ? { scheduledDelayMillis: batching.delayMs, maxExportBatchSize: batching.batchSize, maxQueueSize: batching.queueSize, exportTimeoutMillis: batching.timeoutMs } : {}),
  });
  return { processor, exporter };
}

/**
 * With an exporter: new traces by the ratio, capped; a trace its caller sampled, followed up to its own cap
 * (an app sampling everything would otherwise have the gateway trace everything).
 *
 * With nowhere to send spans, the gateway samples no trace of its own: its spans would cost a request about
 * 6 µs of CPU (benchmark A/B, cache hits at the default ratio) for nothing. A trace its caller sampled stays
 * sampled, so its log lines say so as the caller's own do. Every request still has a trace context, for its
 * log lines.
 */
function samplerFor(exporting: boolean, ratio: number, options: TelemetryOptions): Sampler {
  if (!exporting) return new ParentBasedSampler({ root: new AlwaysOffSampler() });
  const callerCap = options.callerTracesPerSecond;
  return new ParentBasedSampler({
    root: rootSampler(ratio, options.tracesPerSecond),
    ...(callerCap ? { remoteParentSampled: new RateLimitedSampler(new AlwaysOnSampler(), callerCap) } : {}),
  });
}

/** New traces: the ratio, capped at `perSecond` sampled a second when that is set. */
function rootSampler(ratio: number, perSecond: number | undefined): Sampler {
  const byRatio = new TraceIdRatioBasedSampler(ratio);
  return perSecond ? new RateLimitedSampler(byRatio, perSecond) : byRatio;
}

export function createTelemetry(options: TelemetryOptions): GatewayTelemetry {
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    [ATTR_SERVICE_VERSION]: options.serviceVersion,
    // The project the spans belong to, on the spans themselves as well as on each export's request.
    ...(options.tracesExporter === 'cloud-trace' && options.cloudTrace ? { [ATTR_GCP_PROJECT_ID]: options.cloudTrace.project } : {}),
  });
  const modelLabel = options.modelLabel ?? firstSeenModelLabel();

  const histograms = new SummedHistograms(resource, { name: SCOPE_NAME, version: options.serviceVersion }, CARDINALITY_LIMIT);
  const metricProducers: MetricProducer[] = [histograms];
  // Scope labels add nothing (one scope) and cost a label on every series; target_info keeps service name/version.
  const prometheus = new PrometheusExporter(
    options.metricsPort === undefined
      ? { preventServerStart: true, withoutScopeInfo: true, metricProducers }
      : { port: options.metricsPort, host: options.metricsHost ?? '0.0.0.0', withoutScopeInfo: true, metricProducers },
    (error) => {
      if (error) diag.error('gateway telemetry: the metrics listener failed to start', error);
    },
  );
  const meterProvider = new MeterProvider({ resource, views: catalogueViews(SCOPE_NAME), readers: [prometheus, ...(options.metricReaders?.(metricProducers) ?? [])] });
  const meter = meterProvider.getMeter(SCOPE_NAME, options.serviceVersion);
  const instruments = createInstruments(meter, histograms);
  const runtime = new RuntimeMetrics(meter, instruments);
  const budgets = new BudgetRatios();
  const stopBudgets = observeBudgets(instruments, budgets, meter);

  const ratio = Math.min(1, Math.max(0, Number.isFinite(options.sampleRatio) ? options.sampleRatio : 0));
  const { processor, exporter } = spanProcessorFor(options);
  const tracerProvider = new TracerProvider({
    resource,
    sampler: samplerFor(processor !== undefined, ratio, options),
    spanProcessors: processor ? [processor] : [],
  });
  const tracer = tracerProvider.getTracer(SCOPE_NAME, options.serviceVersion);

  const metricsHandler: RequestHandler = function metrics(req, res) {
    prometheus.getMetricsRequestHandler(req, res);
  };

  let stopped = false;
  return {
    events: createPipelineEvents({ instruments, modelLabel, budgets }),
    tracing: createTracing(tracer),
    httpMetrics: createHttpMetrics({ instruments, tracer, modelLabel }),
    metricsHandler,
    spanExporter: exporter,
    traceFields,
    flushSpans: () => tracerProvider.forceFlush(),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      runtime.stop();
      stopBudgets();
      const results = await Promise.allSettled([meterProvider.shutdown(), tracerProvider.shutdown()]);
      for (const result of results) if (result.status === 'rejected') diag.error('gateway telemetry: shutdown failed', result.reason);
    },
  };
}
