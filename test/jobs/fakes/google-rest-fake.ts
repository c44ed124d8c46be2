/**
 * The common part of the local fakes of Google REST APIs: an HTTP server on 127.0.0.1 with an ephemeral
 * port, routing by method and path pattern (Google paths carry literal colons, `…/versions/1:access`),
 * bearer-token checks, Google's error body, a log of the calls, and failures injected per method.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** gRPC status names by HTTP status, as Google's REST error bodies carry them. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly status = STATUS_NAMES[httpStatus] ?? 'UNKNOWN',
  ) {
    super(message);
  }
}

export interface FakeRequest {
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

export interface Route {
  /** Name of the RPC, used in the call log and to inject failures (`CreateKey`, `AddSecretVersion`, …). */
  rpc: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: RegExp;
  handle(request: FakeRequest): unknown;
}

interface InjectedFailure {
  error: ApiError;
  afterApplying: boolean;
}

export interface RecordedCall {
  rpc: string;
  body: unknown;
  query: URLSearchParams;
}

export abstract class GoogleRestFake {
  readonly calls: RecordedCall[] = [];
  private server: Server | undefined;
  private readonly failures = new Map<string, InjectedFailure[]>();

  constructor(private readonly acceptedToken: string) {}

  protected abstract routes(): Route[];

  /**
   * The next call of `rpc` fails with this status: before it changes anything, or, with `afterApplying`,
   * after (the answer is lost on the way back, as when a connection drops).
   */
  failNext(rpc: string, httpStatus: number, options: { afterApplying?: boolean } = {}): void {
    const failure = { error: new ApiError(httpStatus, `injected failure of ${rpc}`), afterApplying: options.afterApplying ?? false };
    this.failures.set(rpc, [...(this.failures.get(rpc) ?? []), failure]);
  }

  callsOf(rpc: string): RecordedCall[] {
    return this.calls.filter((c) => c.rpc === rpc);
  }

  async start(): Promise<{ host: string; port: number; protocol: 'http' }> {
    const server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => send(res, 500, { error: { code: 500, message: String(error), status: 'INTERNAL' } }));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, protocol: 'http' };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname);
    const route = this.routes().find((r) => r.method === req.method && r.path.test(path));
    if (route === undefined) return send(res, 404, googleError(new ApiError(404, `No such method: ${req.method ?? '?'} ${path}`)));
    if (req.headers.authorization !== `Bearer ${this.acceptedToken}`) {
      return send(res, 401, googleError(new ApiError(401, 'Request is missing required authentication credential.')));
    }
    const text = await readBody(req);
    const body: unknown = text.length > 0 ? JSON.parse(text) : undefined;
    this.calls.push({ rpc: route.rpc, body, query: url.searchParams });
    const failure = this.failures.get(route.rpc)?.shift();
    if (failure !== undefined && !failure.afterApplying) return send(res, failure.error.httpStatus, googleError(failure.error));
    try {
      const params = (route.path.exec(path) ?? []).slice(1);
      const answer = route.handle({ params, query: url.searchParams, body });
      if (failure !== undefined) return send(res, failure.error.httpStatus, googleError(failure.error));
      send(res, 200, answer);
    } catch (error) {
      if (error instanceof ApiError) return send(res, error.httpStatus, googleError(error));
      throw error;
    }
  }
}

function googleError(error: ApiError): unknown {
  return { error: { code: error.httpStatus, message: error.message, status: error.status } };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Pages a list the way Google's List methods do: `pageSize`, and an opaque `nextPageToken` (an offset here). */
export function page<T>(items: readonly T[], query: URLSearchParams, defaultSize: number): { items: T[]; nextPageToken?: string } {
  const size = Number(query.get('pageSize') ?? '') || defaultSize;
  const offset = Number(query.get('pageToken') ?? '') || 0;
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { items: slice, nextPageToken: String(offset + size) } : { items: slice };
}

/** Whether the client asked for enums as numbers (`$alt=json;enum-encoding=int`, what the REST transport sends). */
export function wantsIntEnums(query: URLSearchParams): boolean {
  return (query.get('$alt') ?? '').includes('enum-encoding=int');
}
