/** The gateway process: configuration → telemetry → app → listen → graceful drain on SIGTERM. */
import { ConfigError, loadConfig } from './config/load';
import { startGateway } from './gateway';
import { logTelemetryDiagnostics } from './telemetry/diagnostics';
import { telemetryFromConfig } from './telemetry/from-config';
import { createLogger } from './telemetry/logger';

const SERVICE_VERSION = process.env.npm_package_version ?? '0.1.0';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, undefined, { traceProjectId: config.project });
  logTelemetryDiagnostics(logger);
  const gateway = await startGateway(config, { logger, telemetry: telemetryFromConfig(config, SERVICE_VERSION) });
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
