/** The gateway's telemetry as its configuration asks for it (the process and the benchmark build it here). */
import type { GatewayConfig } from '../config/load';
import { CLOUD_TRACE_OTLP_URL } from '../config/settings';
import type { AccessTokenSource } from '../credentials/access-token-source';
import { EMULATED_MODELS } from '../emulator/models';
import { DEFAULT_PRICES } from '../pipeline/account/price-table';
import { knownModelLabel } from './bounded-values';
import { createTelemetry, type GatewayTelemetry } from './create';

/** Every model id the configuration names: the only values the `model` metric label may take (others: `other`). */
function configuredModels(config: GatewayConfig): Set<string> {
  const { models } = config;
  const ids = [
    ...(config.prices ?? DEFAULT_PRICES).map((p) => p.model),
    ...Object.values(models.aliases),
    ...Object.entries(models.retired).flatMap(([id, r]) => [id, r.replacement]),
    ...Object.entries(models.fallbacks).flatMap(([id, chain]) => [id, ...chain]),
    ...Object.keys(models.limits),
    ...Object.keys(models.backends),
    ...models.rules.map((r) => r.routeTo),
    ...(models.allow ?? []),
    ...(config.resolvedUpstream.kind === 'emulator' ? EMULATED_MODELS.map((m) => m.id) : []),
  ];
  return new Set(ids);
}

/**
 * The instance's own OAuth token (ADC), for the Cloud Trace export. google-auth-library is loaded at the
 * first export, not at start-up: a gateway that exports no spans to Google never loads it for this.
 */
function instanceToken(): () => Promise<string> {
  let source: Promise<AccessTokenSource> | undefined;
  return async () => {
    source ??= import('../credentials/access-token-source').then(({ AdcAccessToken }) => new AdcAccessToken());
    return (await source).token();
  };
}

/** Telemetry from the settings (GATEWAY_TELEMETRY, OTEL_*, GATEWAY_METRICS_PORT); `undefined` when it is off. */
export function telemetryFromConfig(config: GatewayConfig, serviceVersion: string): GatewayTelemetry | undefined {
  if (config.telemetry === 'off') return undefined;
  return createTelemetry({
    serviceName: config.serviceName,
    serviceVersion,
    tracesExporter: config.tracesExporter,
    tracesEndpoint: config.tracesEndpoint,
    ...(config.tracesExporter === 'cloud-trace' && config.project !== undefined
      ? { cloudTrace: { project: config.project, endpoint: config.tracesEndpoint ?? CLOUD_TRACE_OTLP_URL, token: instanceToken() } }
      : {}),
    sampleRatio: config.traceSampleRatio,
    tracesPerSecond: config.tracesPerSecond,
    callerTracesPerSecond: config.callerTracesPerSecond,
    spanExport: { delayMs: config.spanExportDelayMs, batchSize: config.spanExportBatchSize, queueSize: config.spanQueueSize, timeoutMs: config.spanExportTimeoutMs },
    modelLabel: knownModelLabel(configuredModels(config)),
    metricsPort: config.metricsPort,
  });
}
