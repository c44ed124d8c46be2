/** The gateway process: configuration → telemetry → app → listen → graceful drain on SIGTERM. */
import { ConfigError, loadConfig, type GatewayConfig } from './config/load';
import { EMULATED_MODELS } from './emulator/models';
import { startGateway } from './gateway';
import { DEFAULT_PRICES } from './pipeline/account/price-table';
import { knownModelLabel } from './telemetry/bounded-values';
import { createTelemetry } from './telemetry/create';
import { createLogger } from './telemetry/logger';
import type { Telemetry } from './telemetry/types';

const SERVICE_VERSION = process.env.npm_package_version ?? '0.1.0';

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

function telemetryFor(config: GatewayConfig): Telemetry | undefined {
  if (config.telemetry === 'off') return undefined;
  return createTelemetry({
    serviceName: config.serviceName,
    serviceVersion: SERVICE_VERSION,
    tracesExporter: config.tracesExporter,
    sampleRatio: config.traceSampleRatio,
    modelLabel: knownModelLabel(configuredModels(config)),
    metricsPort: config.metricsPort,
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, { traceProjectId: config.project });
  const gateway = await startGateway(config, { logger, telemetry: telemetryFor(config) });
  const upstream = config.resolvedUpstream;
  const where =
    upstream.kind === 'emulator'
      ? `the embedded Gemini emulator at ${gateway.emulatorUrl ?? '?'}`
      : upstream.kind === 'vertex'
        ? `Vertex AI (${upstream.project}, ${upstream.location})`
        : `AI Studio at ${upstream.baseUrl}`;
  logger.info({ url: gateway.url, upstream: upstream.kind, authMode: config.resolvedAuthMode, state: gateway.state.health.backend }, `gemini-gateway listening on ${gateway.url}, upstream: ${where}`);
  if (upstream.kind === 'emulator') {
    logger.info('No Gemini credentials configured: answers come from the local emulator, not from Google.');
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainSeconds: config.drainSeconds }, 'shutting down: draining in-flight requests');
    gateway
      .shutdown(config.drainSeconds * 1000)
      .then(() => {
        logger.info('shutdown complete');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `gemini-gateway failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
