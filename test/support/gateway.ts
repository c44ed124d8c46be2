/** Starts a gateway in this process on 127.0.0.1 with an ephemeral port, configured like production. */
import pino from 'pino';
import type { AuthClient } from 'google-auth-library';
import { loadConfig } from '../../service/config/load';
import { startGateway, type RunningGateway } from '../../service/gateway';

export type TestGateway = RunningGateway & { stop(): Promise<void> };

/** `env` holds settings by their environment names, exactly as an operator would set them. */
export async function startTestGateway(env: Record<string, string> = {}, options: { vertexAuthClient?: AuthClient } = {}): Promise<TestGateway> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const gateway = await startGateway(config, { logger: pino({ level: 'silent' }), vertexAuthClient: options.vertexAuthClient });
  return { ...gateway, stop: () => gateway.shutdown(0) };
}
