/**
 * Assembles a running gateway from its configuration: state, credentials, upstreams (starting the embedded
 * emulator when no credentials are given), the pipeline, the Express app and the HTTP server, with
 * graceful drain. `main.ts` runs it as a process; tests start it in-process on an ephemeral port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AuthClient } from 'google-auth-library';
import { createApp } from './api/app';
import { DrainDeadline } from './api/drain-deadline';
import type { ReadinessCheck } from './api/health';
import { ConfigError, type GatewayConfig } from './config/load';
import type { AccessTokenSource } from './credentials/access-token-source';
import { FileApiKey, StaticApiKey, type ApiKeySource } from './credentials/api-key-source';
import type { GeminiEmulator } from './emulator/server';
import { createPriceLookup, DEFAULT_PRICES } from './pipeline/account/price-table';
import { promptHmacWith } from './pipeline/account/prompt-hmac';
import { createAdmit } from './pipeline/admit';
import { createAuthenticate } from './pipeline/authenticate';
import { createModelCaller } from './pipeline/call';
import { createPromptCounter } from './pipeline/count-prompt';
import { NO_EVENTS, NO_TRACING, type PipelineEvents } from './pipeline/events';
import { createPipeline } from './pipeline/handle-call';
import { createRoute, modelNamed } from './pipeline/route';
import { GoogleApiError } from './protocol/errors';
import { JSON_CONTENT_TYPE } from './protocol/stream-format';
import { createState, type State } from './state/create';
import { withDeadline } from './state/deadline';
import { auditLogger, type Logger } from './telemetry/logger';
import type { Telemetry } from './telemetry/types';
import { AiStudioUpstream } from './upstream/ai-studio';
import { HttpTransport } from './upstream/http-transport';
import type { BackendKind, Upstream } from './upstream/types';
import { VertexUpstream, type VertexTarget } from './upstream/vertex';

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
  upstreams: Partial<Record<BackendKind, Upstream>>;
  state: State;
  /** The embedded emulator and its URL, when the gateway runs on it. */
  emulator?: GeminiEmulator;
  emulatorUrl?: string;
  /** Stops accepting, lets in-flight requests finish for up to `drainMs`, then closes everything. */
  shutdown(drainMs: number): Promise<void>;
}

const DRAIN_SWEEP_MS = 100;
/** After the drain time: how long the 503s and terminal error events of requests still in flight get to leave. */
const CUT_FLUSH_MS = 250;
/** At exit: how long pending spans and metrics get to be exported. */
const TELEMETRY_FLUSH_MS = 1_000;

/** What the gateway presents to its embedded emulator, which accepts any credential. */
const EMULATOR_CREDENTIAL = 'local-emulator';
const emulatorToken: AccessTokenSource = { token: () => Promise.resolve(EMULATOR_CREDENTIAL) };

interface BuiltUpstreams {
  upstreams: Partial<Record<BackendKind, Upstream>>;
  defaultBackend: BackendKind;
  emulator?: GeminiEmulator;
  emulatorUrl?: string;
  keys?: ApiKeySource;
}

function keySource(config: GatewayConfig, events: PipelineEvents, logger: Logger, path: string | undefined, key: string | undefined): ApiKeySource {
  if (!path) return new StaticApiKey(key ?? '');
  return new FileApiKey(path, {
    reloadMs: config.keyReloadSeconds * 1000,
    graceMs: config.keyGraceSeconds * 1000,
    onReload: (outcome) => {
      events.keyReload({ outcome });
      if (outcome === 'failed') logger.warn({ path }, 'the API key file could not be re-read; keeping the current key');
    },
  });
}

async function buildUpstreams(config: GatewayConfig, deps: GatewayDependencies, events: PipelineEvents): Promise<BuiltUpstreams> {
  const transport = new HttpTransport({ timeoutMs: config.upstreamTimeoutMs, idleTimeoutMs: config.upstreamIdleTimeoutMs, connections: config.upstreamConnections });
  const target = config.resolvedUpstream;
  switch (target.kind) {
    case 'emulator': {
      // Loaded only when used, like Vertex's credentials and the Redis client: code never run costs memory.
      const { emulatorFromSettings } = await import('./emulator/from-settings');
      const emulator = emulatorFromSettings(config);
      const url = await emulator.listen(0, '127.0.0.1');
      // The emulator speaks both dialects, so models routed to either backend can be tried locally.
      const endpoint = target.endpoint && { ...target.endpoint, baseUrl: url };
      const vertex = new VertexUpstream({ baseUrl: url, project: 'local', location: 'global', endpoint }, emulatorToken, transport);
      await vertex.start();
      return { upstreams: { 'ai-studio': new AiStudioUpstream(url, new StaticApiKey(EMULATOR_CREDENTIAL), transport), vertex }, defaultBackend: 'ai-studio', emulator, emulatorUrl: url };
    }
    case 'ai-studio': {
      const keys = keySource(config, events, deps.logger, target.apiKeyFile, target.apiKey);
      await keys.start();
      const upstreams: BuiltUpstreams['upstreams'] = { 'ai-studio': new AiStudioUpstream(target.baseUrl, keys, transport) };
      if (config.secondaryVertex) upstreams.vertex = await startVertex(config.secondaryVertex, deps, transport);
      return { upstreams, defaultBackend: 'ai-studio', keys };
    }
    case 'vertex':
      return { upstreams: { vertex: await startVertex(target, deps, transport) }, defaultBackend: 'vertex' };
  }
}

async function startVertex(target: VertexTarget, deps: GatewayDependencies, transport: HttpTransport): Promise<VertexUpstream> {
  const { AdcAccessToken } = await import('./credentials/access-token-source');
  const upstream = new VertexUpstream(target, new AdcAccessToken(deps.vertexAuthClient), transport);
  await upstream.start().catch((error: unknown) => {
    deps.logger.warn({ err: { message: (error as Error).message } }, 'Vertex AI credentials are not available yet; /readyz reports not ready');
  });
  return upstream;
}

/** Answers HTTP parse failures (a header over the size limit, garbage) in Google's shape, not Node's bare status line. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'HPE_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'Request headers are too large.' : status === 408 ? 'The request took too long to arrive.' : 'The request is not valid HTTP.';
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  const body = JSON.stringify(new GoogleApiError(status, message).toBody());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export async function startGateway(config: GatewayConfig, deps: GatewayDependencies): Promise<RunningGateway> {
  const events = deps.telemetry?.events ?? NO_EVENTS;
  const tracing = deps.telemetry?.tracing ?? NO_TRACING;
  const state = await createState({
    redisUrl: config.resolvedRedisUrl,
    redisCa: config.redisCa,
    keyPrefix: config.redisKeyPrefix,
    failureMode: config.stateFailureMode,
    redisTimeoutMs: config.redisTimeoutMs,
    logger: deps.logger,
    cacheMaxBytes: config.cacheMaxBytes,
    onReachability: (reachable) => events.stateBackend({ backend: 'redis', reachable }),
  });
  const { upstreams, defaultBackend, emulator, emulatorUrl, keys } = await buildUpstreams(config, deps, events);
  const defaultUpstream = upstreams[defaultBackend] as Upstream;

  const admitter = createAdmit({
    store: state.admission,
    modelLimits: config.models.limits,
    queueTimeoutMs: config.queueTimeoutMs,
    queueMaxWaiting: config.queueMaxWaiting,
    // A request's upstream work ends by its deadline; a minute more covers its admission queue and accounting.
    budgetHoldMs: config.requestTimeoutMs + 60_000,
    events,
  });
  const authenticate = createAuthenticate({ mode: config.resolvedAuthMode, callers: config.allCallers });
  const auditLog = auditLogger(deps.logger);
  if (config.resolvedAuditHmacKey === undefined && config.resolvedUpstream.kind !== 'emulator') {
    deps.logger.warn('GATEWAY_AUDIT_HMAC_KEY is not set: audit prompt fingerprints use a key of this process only and cannot be matched across replicas or restarts');
  }
  const handleModelCall = createPipeline({
    authenticate,
    route: createRoute({ policy: config.models, defaultBackend, backends: Object.keys(upstreams) as BackendKind[], vertexEndpointModels: config.vertexEndpointModels }),
    admitter,
    callUpstream: createModelCaller({
      upstreams,
      requestTimeoutMs: config.requestTimeoutMs,
      retry: { maxAttempts: config.retryMaxAttempts, baseDelayMs: config.retryBaseDelayMs, maxDelayMs: config.retryMaxDelayMs, budgetMs: config.retryBudgetMs },
      breaker: { failureRatio: config.breakerFailureRatio, minRequests: config.breakerMinRequests, windowMs: config.breakerWindowMs, halfOpenAfterMs: config.breakerHalfOpenAfterMs },
      events,
      tracing,
      onUpstreamThrottle: (model, delayMs) => void admitter.throttle(model, delayMs).catch(() => undefined),
    }),
    countPrompt: createPromptCounter(upstreams, events, tracing),
    cacheTtlMs: config.cacheTtlSeconds * 1000,
    cacheMaxEntryBytes: config.cacheMaxEntryBytes,
    media: { maxInlineBytes: config.maxInlineBytes, maxPdfBytes: config.maxPdfBytes, maxParts: config.maxParts },
    defaultMaxOutputTokens: config.defaultMaxOutputTokens,
    prices: createPriceLookup(config.prices ?? DEFAULT_PRICES),
    audit: (record) => auditLog.info({ audit: record }, 'audit'),
    promptHmac: promptHmacWith(config.resolvedAuditHmacKey),
    events,
    tracing,
  });

  let draining = false;
  // Passed when a shutdown's drain time is up (see shutdown).
  const drainDeadline = new DrainDeadline();
  const readiness: ReadinessCheck[] = [
    { name: 'upstream credentials', ready: () => Object.values(upstreams).every((u) => u.ready()) },
    { name: 'state store', ready: () => state.health.ready() },
  ];
  const app = createApp({
    gemini: { handleModelCall, authenticate, modelsUpstream: defaultUpstream, maxBodyBytes: config.maxBodyBytes, identityHeader: config.identityHeader.toLowerCase(), closing: drainDeadline, modelNamed: (name) => modelNamed(config.models, name) },
    openai: {
      handleModelCall,
      authenticate,
      modelsUpstream: defaultUpstream,
      maxBodyBytes: config.maxBodyBytes,
      identityHeader: config.identityHeader.toLowerCase(),
      modelMap: config.openaiModels,
      aliases: config.models.aliases,
      allowRemoteImages: config.openaiAllowRemoteImages,
      maxPdfBytes: config.maxPdfBytes,
      closing: drainDeadline,
    },
    logger: deps.logger,
    accessLog: config.accessLog,
    readiness,
    isDraining: () => draining,
    telemetry: deps.telemetry,
  });

  const server = createServer(app);
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(`HOST, PORT: cannot listen on ${config.host}:${config.port}: ${listenProblem(error)}`)));
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
    // Time is up for what is still in flight: each model call ends in Google's (or OpenAI's) terms, a 503 or a
    // stream's terminal error event, and has a moment to reach its client before connections are cut.
    drainDeadline.pass();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, CUT_FLUSH_MS))]);
    clearInterval(sweeper);
    server.closeAllConnections();
    keys?.stop();
    await Promise.all(Object.values(upstreams).map((u) => u.close().catch(() => undefined)));
    await state.health.close();
    await emulator?.close();
    // Pending spans get a moment, not the exporter's own timeout (30 s): the platform kills the process soon.
    await withDeadline(deps.telemetry?.shutdown() ?? Promise.resolve(), TELEMETRY_FLUSH_MS).catch(() => undefined);
  }

  return { url, server, upstreams, state, emulator, emulatorUrl, shutdown };
}

/** Why the listener could not start, in the operator's terms. */
function listenProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'the port is in use';
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return 'no such address on this machine';
    case 'EACCES':
      return 'not allowed to bind it (ports below 1024 need privileges)';
    default:
      return error.message;
  }
}
