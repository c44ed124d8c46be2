/**
 * The active trace context, kept in this module's own AsyncLocalStorage instead of the OpenTelemetry API's
 * global context manager. Two gateways in one process (tests) then never fight over global registration, and
 * nothing outside `service/telemetry` has to call `context.setGlobalContextManager`. If some other code does
 * register a global context manager, its active context is used as a fallback parent.
 *
 * Node runs `EventEmitter` listeners in the context of the code that *emits* (the socket), not of the code
 * that registered them; the body parser reads the request through such listeners, so every stage after body
 * parsing would lose its parent span. The HTTP middleware remembers each request's context and
 * {@link reenterRequestContext}, placed after the body reader, restores it — one read per request rather
 * than patching every emitter method of every request and response (which cost about a quarter of the
 * gateway's CPU per request in the benchmark's profile).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context as apiContext, trace, type Context, type SpanContext } from '@opentelemetry/api';

const storage = new AsyncLocalStorage<Context>();

/** The context of the current async flow: ours first, else the global API's (normally ROOT). */
export function activeContext(): Context {
  return storage.getStore() ?? apiContext.active();
}

/** Runs `work` with `ctx` as the active context. */
export function withContext<T>(ctx: Context, work: () => T): T {
  return storage.run(ctx, work);
}

/** The span context of the active span, if it is valid. */
export function activeSpanContext(): SpanContext | undefined {
  const spanContext = trace.getSpanContext(activeContext());
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * The trace context of each request, set by the HTTP middleware; re-entered after the body is read. Kept
 * on the request itself under a private symbol: a WeakMap entry per request costs the garbage collector
 * more than the property does.
 */
const REQUEST_CONTEXT = Symbol('gateway.requestContext');
type WithContext = { [REQUEST_CONTEXT]?: Context };

export function rememberRequestContext(req: object, ctx: Context): void {
  (req as WithContext)[REQUEST_CONTEXT] = ctx;
}

/**
 * Runs the rest of the chain in the request's trace context, which reading the body (stream events)
 * leaves. One property read per request instead of patching every emitter method.
 */
export function reenterRequestContext(req: object, _res: unknown, next: () => void): void {
  const ctx = (req as WithContext)[REQUEST_CONTEXT];
  if (ctx) storage.run(ctx, next);
  else next();
}
