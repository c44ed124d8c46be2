/**
 * The Gemini emulator: a standalone HTTP server speaking the Gemini REST protocol for both AI Studio and
 * Vertex paths, with deterministic answers, realistic usage metadata, configurable latency and streaming
 * pace, and fault injection. It is the embedded default upstream and every test's upstream, so it is
 * plain `node:http` (fast, no framework between the test and the bytes on the wire).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ERROR_INFO_TYPE, GoogleApiError, invalidArgument, notFound } from '../protocol/errors';
import { parseGeminiPath, requireMethodAllowed, type GeminiPath, type ModelCallPath, type PathDialect } from '../protocol/paths';
import { contentTypeFor, framingFor, JSON_CONTENT_TYPE, StreamEncoder } from '../protocol/stream-format';
import { billedContentsTokens } from './media-tokens';
import { answerFor, type GenerateRequestBody } from './answers';
import { FaultBook, faultListSchema, faultRuleSchema, type FaultRule } from './faults';
import { findModel, listedModels, modelResource, type EmulatedModel } from './models';
import {
  batchEmbedResponse,
  blockedResponse,
  computeTokensResponse,
  countTokensResponse,
  embedContentResponse,
  injectedError,
  newResponseContext,
  predictResponse,
  streamChunks,
  unaryResponse,
  vertexEmbedContentResponse,
} from './responses';

export interface EmulatorTiming {
  latencyMs: number;
  latencyJitterMs: number;
  chunkIntervalMs: number;
}

export interface EmulatorOptions extends Partial<EmulatorTiming> {
  faults?: FaultRule[];
  /** Enables `/_emulator/*` for loopback callers. */
  admin?: boolean;
  /** Keys accepted in `x-goog-api-key` / `?key=`; unset accepts any. */
  apiKeys?: string[];
  random?: () => number;
  maxBodyBytes?: number;
}

export type AuthKind = 'api-key-header' | 'api-key-query' | 'bearer' | 'none';

export interface RecordedRequest {
  httpMethod: string;
  path: string;
  model?: string;
  method?: string;
  auth: AuthKind;
}

const ADMIN_PREFIX = '/_emulator/';
const RECENT_LIMIT = 200;
const TUNED_MODEL: EmulatedModel = { id: 'tuned', displayName: 'Tuned model', kind: 'generate', inputTokenLimit: 1_048_576, outputTokenLimit: 65_536, thinking: false };

class BodyError extends GoogleApiError {}

/**
 * countTokens bodies differ by dialect, and each API refuses the other's: the Gemini API counts `contents`
 * or a `generateContentRequest`, Vertex takes the request's fields at the top level and knows no wrapper.
 */
function requireCountTokensFields(body: Record<string, unknown>, dialect: PathDialect): void {
  const foreign = dialect === 'vertex' ? ['generateContentRequest'] : ['systemInstruction', 'tools', 'generationConfig'];
  const unknown = foreign.find((field) => body[field] !== undefined);
  if (unknown !== undefined) throw invalidArgument(`Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
}

export class GeminiEmulator {
  readonly faults: FaultBook;
  readonly timing: EmulatorTiming;
  /** Requests served since start or the last reset, newest last (bounded). */
  readonly recent: RecordedRequest[] = [];
  requestCount = 0;
  /** Answers the client walked away from before they were complete (cancellation reaching the upstream). */
  abandonedCount = 0;

  private readonly server: Server;
  private readonly random: () => number;
  private readonly admin: boolean;
  private apiKeys: Set<string> | undefined;
  private readonly maxBodyBytes: number;

  constructor(options: EmulatorOptions = {}) {
    this.random = options.random ?? Math.random;
    this.faults = new FaultBook(this.random);
    this.faults.set(options.faults ?? []);
    this.timing = { latencyMs: options.latencyMs ?? 0, latencyJitterMs: options.latencyJitterMs ?? 0, chunkIntervalMs: options.chunkIntervalMs ?? 0 };
    this.admin = options.admin ?? false;
    this.apiKeys = options.apiKeys && options.apiKeys.length > 0 ? new Set(options.apiKeys) : undefined;
    this.maxBodyBytes = options.maxBodyBytes ?? 256 * 1024 * 1024;
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      res.once('close', () => {
        if (!res.writableFinished) this.abandonedCount++;
      });
      this.handle(req, res).catch((error: unknown) => this.fail(res, error));
    });
  }

  /** Starts listening; resolves with the base URL (`http://127.0.0.1:PORT`). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  /** Stops at once: hanging and stalled answers are cut, as a crashed upstream would. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Replaces the keys the emulator accepts (a key rotation at Google); empty accepts any. */
  setApiKeys(keys: readonly string[]): void {
    this.apiKeys = keys.length > 0 ? new Set(keys) : undefined;
  }

  resetStats(): void {
    this.recent.length = 0;
    this.requestCount = 0;
    this.abandonedCount = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith(ADMIN_PREFIX)) return this.handleAdmin(req, res, url.pathname.slice(ADMIN_PREFIX.length));

    const path = parseGeminiPath(url.pathname);
    const auth = this.authenticate(req, url);
    this.record({ httpMethod: req.method ?? 'GET', path: url.pathname, model: 'model' in (path ?? {}) ? (path as ModelCallPath).model : undefined, method: path?.kind === 'call' ? path.method : undefined, auth });
    if (!path) throw notFound(`The requested URL ${url.pathname.slice(0, 200)} was not found on this server.`);
    requireMethodAllowed(req.method ?? 'GET', path);
    if (path.kind !== 'call') return this.sendJson(res, 200, this.modelsResource(path, url));

    const model = path.collection === 'endpoints' ? { ...TUNED_MODEL, id: path.model } : findModel(path.model);
    if (!model) {
      throw notFound(`models/${path.model} is not found for API version ${path.version}, or is not supported for ${path.method}. Call ListModels to see the list of available models and their supported methods.`);
    }
    const body = await this.readJson(req);
    const fault = this.faults.pick(model.id, path.method);
    await this.wait(this.firstByteDelay(fault));
    if (res.destroyed) return;
    if (fault?.kind === 'status') throw injectedError(fault.status ?? 503, model.id, fault.message, fault.retryDelaySeconds);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'timeout') return; // never answer; the socket stays open until the client gives up
    return this.serveCall(path, model, body, fault, url, res);
  }

  private firstByteDelay(fault: FaultRule | undefined): number {
    const { latencyMs, latencyJitterMs } = this.timing;
    let delay = latencyMs;
    if (latencyJitterMs > 0) {
      // Box-Muller: a normal distribution around the mean, cut at zero.
      const u = 1 - this.random();
      const v = this.random();
      delay += latencyJitterMs * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
    if (fault?.kind === 'latency') delay += fault.latencyMs ?? 1000;
    return Math.max(0, delay);
  }

  private async wait(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms);
  }

  private serveCall(path: ModelCallPath, model: EmulatedModel, body: Record<string, unknown>, fault: FaultRule | undefined, url: URL, res: ServerResponse): Promise<void> | void {
    switch (path.method) {
      case 'generateContent':
      case 'streamGenerateContent':
        return this.generate(path, model, body, fault, url, res);
      case 'countTokens':
        requireCountTokensFields(body, path.dialect);
        return this.sendJson(res, 200, countTokensResponse(body, path.dialect));
      case 'computeTokens':
        // A Vertex method: the Gemini API has none.
        if (path.dialect !== 'vertex') throw notFound(`models/${model.id} is not found for API version ${path.version}, or is not supported for computeTokens. Call ListModels to see the list of available models and their supported methods.`);
        return this.sendJson(res, 200, computeTokensResponse(body));
      case 'embedContent':
        if (path.dialect === 'vertex') return this.sendJson(res, 200, vertexEmbedContentResponse(body));
        // The Gemini API takes its options at the top level and refuses Vertex's wrapper, as it refuses any unknown field.
        if (body.embedContentConfig !== undefined) throw invalidArgument('Invalid JSON payload received. Unknown name "embedContentConfig": Cannot find field.');
        return this.sendJson(res, 200, embedContentResponse(body));
      case 'batchEmbedContents':
        // Vertex AI has no batchEmbedContents: it embeds with predict or its own embedContent.
        if (path.dialect === 'vertex') throw notFound(`Method batchEmbedContents is not found for ${path.collection}/${path.model} on Vertex AI.`);
        return this.sendJson(res, 200, batchEmbedResponse(body));
      case 'predict':
        // The Gemini API's predict serves image models; it embeds with embedContent and batchEmbedContents.
        if (path.dialect !== 'vertex' && model.kind === 'embed') throw notFound(`models/${model.id} is not found for API version ${path.version}, or is not supported for predict. Call ListModels to see the list of available models and their supported methods.`);
        return this.sendJson(res, 200, predictResponse(model.id, body));
    }
  }

  private async generate(path: ModelCallPath, model: EmulatedModel, body: GenerateRequestBody, fault: FaultRule | undefined, url: URL, res: ServerResponse): Promise<void> {
    if (!Array.isArray(body.contents) || body.contents.length === 0) {
      throw invalidArgument('* GenerateContentRequest.contents: contents is not specified');
    }
    const ctx = newResponseContext(model.id, path.dialect);
    const answer = answerFor(model, body);
    const documents =
      fault?.kind === 'blocked'
        ? [blockedResponse(ctx, billedContentsTokens(body.contents))]
        : path.method === 'streamGenerateContent'
          ? streamChunks(ctx, answer)
          : [unaryResponse(ctx, answer)];

    if (path.method !== 'streamGenerateContent') {
      const text = JSON.stringify(documents[0]);
      if (fault?.kind === 'midstream-error' || fault?.kind === 'stall') {
        res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        if (fault.kind === 'midstream-error') res.destroy();
        return;
      }
      return this.sendJson(res, 200, documents[0]);
    }

    const encoder = new StreamEncoder(framingFor({ alt: url.searchParams.get('alt') ?? undefined, $alt: url.searchParams.get('$alt') ?? undefined }));
    res.writeHead(200, { 'content-type': contentTypeFor(encoder.framing), 'content-disposition': 'attachment' });
    const cutAfter = fault?.kind === 'midstream-error' || fault?.kind === 'stall' || fault?.kind === 'truncate' ? (fault.afterChunks ?? 1) : Infinity;
    for (let i = 0; i < documents.length; i++) {
      if (res.destroyed) return;
      if (i >= cutAfter) break;
      if (i > 0) await this.wait(this.timing.chunkIntervalMs);
      res.write(encoder.event(JSON.stringify(documents[i])));
    }
    if (fault?.kind === 'stall' && cutAfter < documents.length) return; // silent, connection open
    if (fault?.kind === 'midstream-error' && cutAfter < documents.length) {
      res.write(encoder.event(JSON.stringify(injectedError(fault.status ?? 503, model.id, fault.message).toBody())));
    }
    res.end(encoder.end());
  }

  private modelsResource(path: Exclude<GeminiPath, ModelCallPath>, url: URL): Record<string, unknown> {
    const collection = path.collection === 'models' ? 'models' : path.collection;
    if (path.kind === 'get') {
      const model = findModel(path.model);
      if (!model || path.collection === 'tunedModels') throw notFound(`Model ${collection}/${path.model} is not found.`);
      return modelResource(model, collection);
    }
    const key = path.collection === 'tunedModels' ? 'tunedModels' : path.dialect === 'vertex' ? 'publisherModels' : 'models';
    const all = path.collection === 'tunedModels' ? [] : listedModels();
    const pageSize = Math.min(Math.max(Number(url.searchParams.get('pageSize')) || 50, 1), 1000);
    const offset = Number(Buffer.from(url.searchParams.get('pageToken') ?? '', 'base64url').toString() || '0');
    if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('Invalid page token.');
    const page = all.slice(offset, offset + pageSize).map((m) => modelResource(m, collection));
    const out: Record<string, unknown> = { [key]: page };
    if (offset + pageSize < all.length) out.nextPageToken = Buffer.from(String(offset + pageSize)).toString('base64url');
    return out;
  }

  private authenticate(req: IncomingMessage, url: URL): AuthKind {
    const header = req.headers['x-goog-api-key'];
    const queryKey = url.searchParams.get('key');
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const key = typeof header === 'string' ? header : (queryKey ?? undefined);
    if (this.apiKeys && key !== undefined && !this.apiKeys.has(key)) {
      throw new GoogleApiError(400, 'API key not valid. Please pass a valid API key.', {
        details: [{ '@type': ERROR_INFO_TYPE, reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }],
      });
    }
    if (this.apiKeys && key === undefined && bearer === undefined) {
      throw new GoogleApiError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    }
    if (typeof header === 'string') return 'api-key-header';
    if (queryKey !== null) return 'api-key-query';
    return bearer !== undefined ? 'bearer' : 'none';
  }

  private record(entry: RecordedRequest): void {
    this.requestCount++;
    this.recent.push(entry);
    if (this.recent.length > RECENT_LIMIT) this.recent.shift();
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBodyBytes) throw new BodyError(413, `Request payload size exceeds the limit: ${this.maxBodyBytes} bytes.`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  private async readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await this.readBody(req);
    if (raw.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalidArgument('Invalid JSON payload received. Unexpected token.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidArgument('Invalid JSON payload received. Expected an object.');
    return parsed as Record<string, unknown>;
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    const loopback = remote === '::1' || remote.startsWith('127.') || remote.startsWith('::ffff:127.');
    if (!this.admin || !loopback) throw notFound('The requested URL was not found on this server.');
    const method = req.method ?? 'GET';
    if (route === 'faults' && method === 'GET') return this.sendJson(res, 200, { faults: this.faults.list() });
    if (route === 'faults' && method === 'PUT') return this.sendJson(res, 200, { faults: this.setFaults(faultListSchema, await this.readJsonValue(req)) });
    if (route === 'faults' && method === 'POST') {
      const rule = this.parseAdmin(faultRuleSchema, await this.readJsonValue(req));
      this.faults.add(rule);
      return this.sendJson(res, 200, { faults: this.faults.list() });
    }
    if (route === 'faults' && method === 'DELETE') {
      this.faults.clear();
      return this.sendJson(res, 200, { faults: [] });
    }
    if (route === 'timing' && method === 'PUT') {
      const update = (await this.readJsonValue(req)) as Partial<EmulatorTiming>;
      for (const key of ['latencyMs', 'latencyJitterMs', 'chunkIntervalMs'] as const) {
        const value = update[key];
        if (value !== undefined) {
          if (typeof value !== 'number' || value < 0) throw invalidArgument(`${key} must be a number ≥ 0.`);
          this.timing[key] = value;
        }
      }
      return this.sendJson(res, 200, { timing: this.timing });
    }
    if (route === 'stats' && method === 'GET') return this.sendJson(res, 200, { requestCount: this.requestCount, abandonedCount: this.abandonedCount, recent: this.recent });
    if (route === 'reset' && method === 'POST') {
      this.faults.clear();
      this.resetStats();
      return this.sendJson(res, 200, { ok: true });
    }
    throw notFound(`No admin route ${method} ${ADMIN_PREFIX}${route}.`);
  }

  private async readJsonValue(req: IncomingMessage): Promise<unknown> {
    const raw = await this.readBody(req);
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw invalidArgument('Invalid JSON payload received.');
    }
  }

  private parseAdmin<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, value: unknown): T {
    const result = schema.safeParse(value);
    if (!result.success) throw invalidArgument(`Invalid fault rule: ${result.error.message}`);
    return result.data;
  }

  private setFaults(schema: typeof faultListSchema, value: unknown): FaultRule[] {
    this.faults.set(this.parseAdmin(schema, value));
    return this.faults.list();
  }

  private sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: ServerResponse, error: unknown): void {
    const apiError = error instanceof GoogleApiError ? error : new GoogleApiError(500, 'Internal error in the emulator.');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.sendJson(res, apiError.httpStatus, apiError.toBody());
  }
}
