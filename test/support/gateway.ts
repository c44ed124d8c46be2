/** Starts a gateway in this process on 127.0.0.1 with an ephemeral port, configured like production. */
import pino from 'pino';
import type { AuthClient } from 'google-auth-library';
import { loadConfig } from '../../service/config/load';
import { startGateway, type RunningGateway } from '../../service/gateway';
import type { Telemetry } from '../../service/telemetry/types';

export type TestGateway = RunningGateway & { stop(): Promise<void> };

/**
 * `env` holds settings by their environment names, exactly as an operator would set them. Unless a test
 * says otherwise the gateway is open (one anonymous caller), so tests of other stages need no keys.
 */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: { vertexAuthClient?: AuthClient; telemetry?: Telemetry } = {},
): Promise<TestGateway> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', GATEWAY_AUTH_MODE: 'open', ...env });
  const gateway = await startGateway(config, { logger: pino({ level: 'silent' }), vertexAuthClient: options.vertexAuthClient, telemetry: options.telemetry });
  return { ...gateway, stop: () => gateway.shutdown(0) };
}
