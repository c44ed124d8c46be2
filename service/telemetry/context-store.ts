/**
 * The active trace context, kept in this module's own AsyncLocalStorage instead of the OpenTelemetry API's
 * global context manager. Two gateways in one process (tests) then never fight over global registration, and
 * nothing outside `service/telemetry` has to call `context.setGlobalContextManager`. If some other code does
 * register a global context manager, its active context is used as a fallback parent.
 *
 * Node runs `EventEmitter` listeners in the context of the code that *emits* (the socket), not of the code
 * that registered them; the body parser reads the request through such listeners, so without help every
 * stage after body parsing would lose its parent span. {@link bindEmitter} re-binds listeners to the context
 * current when they are added, as the OTel async-hooks context manager does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
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

type Listener = (...args: unknown[]) => void;
const ADD_METHODS = ['on', 'addListener', 'once', 'prependListener', 'prependOnceListener'] as const;
const REMOVE_METHODS = ['off', 'removeListener'] as const;
const BOUND = Symbol('gateway.telemetry.boundEmitter');

/** Makes every listener later added to `emitter` run in `ctx`; removal with the original listener still works. */
export function bindEmitter(emitter: EventEmitter, ctx: Context): void {
  const target = emitter as EventEmitter & { [BOUND]?: true };
  if (target[BOUND]) return;
  target[BOUND] = true;
  const byEvent = new Map<string | symbol, WeakMap<Listener, Listener>>();
  const methods = emitter as unknown as Record<string, (event: string | symbol, listener: Listener) => EventEmitter>;
  // `once` is implemented as `this.on(event, onceWrapper)`: wrapping that inner call too would hide the
  // onceWrapper from `removeListener`, so nested adds pass through untouched.
  let adding = false;

  for (const name of ADD_METHODS) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    methods[name] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
      if (adding) return original.call(this, event, listener);
      let bound = byEvent.get(event)?.get(listener);
      if (!bound) {
        bound = function (this: unknown, ...args: unknown[]) {
          return storage.run(ctx, () => listener.apply(this, args));
        };
        let listeners = byEvent.get(event);
        if (!listeners) byEvent.set(event, (listeners = new WeakMap()));
        listeners.set(listener, bound);
      }
      adding = true;
      try {
        return original.call(this, event, bound);
      } finally {
        adding = false;
      }
    };
  }
  for (const name of REMOVE_METHODS) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    methods[name] = function (this: EventEmitter, event: string | symbol, listener: Listener) {
      return original.call(this, event, byEvent.get(event)?.get(listener) ?? listener);
    };
  }
}
