/**
 * Assembles a running gateway from its configuration: credentials, upstream (starting the embedded emulator
 * when no credentials are given), the Express app and the HTTP server, with graceful drain.
 * `main.ts` runs it as a process; tests start it in-process on an ephemeral port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AuthClient } from 'google-auth-library';
import { createApp } from './api/app';
import type { ReadinessCheck } from './api/health';
import type { GatewayConfig } from './config/load';
import { AdcAccessToken } from './credentials/access-token-source';
import { FileApiKey, StaticApiKey, type ApiKeySource } from './credentials/api-key-source';
import { emulatorFromSettings } from './emulator/from-settings';
import type { GeminiEmulator } from './emulator/server';
import { GoogleApiError } from './protocol/errors';
import type { Logger } from './telemetry/logger';
import type { Telemetry } from './telemetry/types';
import { AiStudioUpstream } from './upstream/ai-studio';
import { HttpTransport } from './upstream/http-transport';
import type { Upstream } from './upstream/types';
import { VertexUpstream } from './upstream/vertex';

export interface GatewayDependencies {
  logger: Logger;
  /** Replaces Application Default Credentials for the Vertex upstream. */
  vertexAuthClient?: AuthClient;
  /** Metrics and traces; without it the gateway records nothing. */
  telemetry?: Telemetry;
}

export interface RunningGateway {
  url: string;
  server: Server;
  upstream: Upstream;
  /** The embedded emulator and its URL, when the gateway runs on it. */
  emulator?: GeminiEmulator;
  emulatorUrl?: string;
  /** Stops accepting, lets in-flight requests finish for up to `drainMs`, then closes everything. */
  shutdown(drainMs: number): Promise<void>;
}

const DRAIN_SWEEP_MS = 100;

/** The key the gateway presents to its embedded emulator, which accepts any key. */
const EMULATOR_KEY = 'local-emulator';

interface BuiltUpstream {
  upstream: Upstream;
  emulator?: GeminiEmulator;
  emulatorUrl?: string;
  keys?: ApiKeySource;
}

async function buildUpstream(config: GatewayConfig, deps: GatewayDependencies): Promise<BuiltUpstream> {
  const transport = new HttpTransport({
    timeoutMs: config.upstreamTimeoutMs,
    idleTimeoutMs: config.upstreamIdleTimeoutMs,
    connections: config.upstreamConnections,
  });
  const target = config.resolvedUpstream;
  switch (target.kind) {
    case 'emulator': {
      const emulator = emulatorFromSettings(config);
      const url = await emulator.listen(0, '127.0.0.1');
      return { upstream: new AiStudioUpstream(url, new StaticApiKey(EMULATOR_KEY), transport), emulator, emulatorUrl: url };
    }
    case 'ai-studio': {
      const keys = target.apiKeyFile ? new FileApiKey(target.apiKeyFile) : new StaticApiKey(target.apiKey ?? '');
      await keys.start();
      return { upstream: new AiStudioUpstream(target.baseUrl, keys, transport), keys };
    }
    case 'vertex': {
      const upstream = new VertexUpstream(target, new AdcAccessToken(deps.vertexAuthClient), transport);
      await upstream.start().catch((error: unknown) => {
        deps.logger.warn({ err: { message: (error as Error).message } }, 'Vertex AI credentials are not available yet; /readyz reports not ready');
      });
      return { upstream };
    }
  }
}

/** Answers HTTP parse failures (a header over the size limit, garbage) in Google's shape, not Node's bare status line. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (error.code === 'ECONNRESET')) return void socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'Request headers are too large.' : status === 408 ? 'The request took too long to arrive.' : 'The request is not valid HTTP.';
  const body = JSON.stringify(new GoogleApiError(status, message).toBody());
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
    `Content-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export async function startGateway(config: GatewayConfig, deps: GatewayDependencies): Promise<RunningGateway> {
  const { upstream, emulator, emulatorUrl, keys } = await buildUpstream(config, deps);
  let draining = false;
  const readiness: ReadinessCheck[] = [{ name: 'upstream credentials', ready: () => upstream.ready() }];
  const app = createApp({ upstream, logger: deps.logger, maxBodyBytes: config.maxBodyBytes, readiness, isDraining: () => draining, telemetry: deps.telemetry });

  const server = createServer(app);
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  async function shutdown(drainMs: number): Promise<void> {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Connections that finish their last response while draining turn idle: close them as they do.
    const sweeper = setInterval(() => server.closeIdleConnections(), DRAIN_SWEEP_MS);
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
    await Promise.race([closed, deadline]);
    clearTimeout(timer);
    clearInterval(sweeper);
    server.closeAllConnections();
    keys?.stop();
    await upstream.close();
    await emulator?.close();
  }

  return { url, server, upstream, emulator, emulatorUrl, shutdown };
}
