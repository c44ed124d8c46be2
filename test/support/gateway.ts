/** Starts a gateway in this process on 127.0.0.1 with an ephemeral port, configured like production. */
import pino from 'pino';
import type { AuthClient } from 'google-auth-library';
import { loadConfig } from '../../service/config/load';
import { startGateway, type RunningGateway } from '../../service/gateway';
import { createLogger, type Logger } from '../../service/telemetry/logger';
import type { Telemetry } from '../../service/telemetry/types';

export type TestGateway = RunningGateway & { stop(): Promise<void> };

/**
 * `env` holds settings by their environment names, exactly as an operator would set them. Unless a test
 * says otherwise the gateway is open (one anonymous caller), so tests of other stages need no keys.
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: { vertexAuthClient?: AuthClient; telemetry?: Telemetry; logger?: Logger } = {},
): Promise<TestGateway> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', GATEWAY_AUTH_MODE: 'open', ...env });
  const gateway = await startGateway(config, { logger: options.logger ?? pino({ level: 'silent' }), vertexAuthClient: options.vertexAuthClient, telemetry: options.telemetry });
  return { ...gateway, stop: () => gateway.shutdown(0) };
}

/**
 * A keys-mode gateway on the upstream at `upstreamUrl` (a standalone emulator) for tests that follow each
 * upstream call: no answer cache, one attempt per model. `callers` as in GATEWAY_CALLERS.
 */
export function startKeyedGatewayOn(upstreamUrl: string, callers: unknown[], env: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<TestGateway> {
  return startTestGateway(
    {
      GEMINI_API_KEY: 'k',
      GOOGLE_GEMINI_BASE_URL: upstreamUrl,
      GATEWAY_AUTH_MODE: 'keys',
      GATEWAY_CACHE_TTL_SECONDS: '0',
      GATEWAY_RETRY_MAX_ATTEMPTS: '1',
      GATEWAY_CALLERS: JSON.stringify(callers),
      ...env,
    },
    options,
  );
}

/** A logger that keeps every JSON line it writes, for assertions on logs. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
