/**
 * The resilience policy with a scripted upstream: no network, fixed randomness, recorded sleeps. Asserts
 * call counts, waits, events and the breaker's state after each step.
 */
import { Readable } from 'node:stream';
import { GoogleApiError, retryInfo } from '../../protocol/errors';
import { UpstreamTransportError } from '../../upstream/http-transport';
import type { Upstream, UpstreamCall, UpstreamReply } from '../../upstream/types';
import { NO_EVENTS, NO_TRACING, type PipelineEvents, type Tracing } from '../events';
import type { RouteDecision } from '../route';
import { createModelCaller, failedCallOf } from './index';
import { abortableSleep } from '../abortable-sleep';

type Script = (call: UpstreamCall) => { status: number; body: string; retryAfter?: string };

function reply(status: number, body: string, retryAfter?: string): UpstreamReply {
  return { status, contentType: 'application/json', retryAfter, body: Readable.from([Buffer.from(body)]), discard: () => undefined };
}

function fakeUpstream(script: Script): Upstream & { calls: UpstreamCall[] } {
  const calls: UpstreamCall[] = [];
  return {
    backend: 'ai-studio',
    calls,
    call: (call) => {
      calls.push(call);
      const { status, body, retryAfter } = script(call);
      return Promise.resolve(reply(status, body, retryAfter));
    },
    models: () => Promise.reject(new Error('not used')),
    ready: () => true,
    credentialId: () => 'key-test',
    close: () => Promise.resolve(),
  };
}

const OK = '{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}]}';
const overloaded = JSON.stringify(new GoogleApiError(503, 'The model is overloaded.').toBody());
const quota = (seconds: number) => JSON.stringify(new GoogleApiError(429, 'quota', { details: [retryInfo(seconds)] }).toBody());

const route: RouteDecision = { requestedModel: 'pro', model: 'pro', backend: 'ai-studio', fallbacks: [{ model: 'flash', backend: 'ai-studio' }] };

function setup(script: Script, overrides: Partial<Parameters<typeof createModelCaller>[0]> = {}) {
  const upstream = fakeUpstream(script);
  const sleeps: number[] = [];
  const events: string[] = [];
  const throttles: Array<[string, number]> = [];
  const recording: PipelineEvents = {
    ...NO_EVENTS,
    retry: (r) => events.push(`retry ${r.model} ${r.errorType} ${r.delayMs}`),
    fallback: (f) => events.push(`fallback ${f.fromModel}→${f.toModel} ${f.reason}`),
    breakerState: (b) => events.push(`breaker ${b.model} ${b.state}`),
  };
  const spans: string[] = [];
  const tracing: Tracing = {
    ...NO_TRACING,
    inUpstreamCall: (span, work) => {
      spans.push(`${span.method} ${span.model} ${span.backend}${span.stream ? ' stream' : ''}`);
      return NO_TRACING.inUpstreamCall(span, work);
    },
  };
  const callUpstream = createModelCaller({
    upstreams: { 'ai-studio': upstream },
    requestTimeoutMs: 600_000,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 10_000, budgetMs: 30_000 },
    breaker: { failureRatio: 0.5, minRequests: 4, windowMs: 10_000, halfOpenAfterMs: 1_000 },
    events: recording,
    tracing,
    onUpstreamThrottle: (model, ms) => throttles.push([model, ms]),
    random: () => 0.5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
  const call = (
    r: RouteDecision = route,
    method: 'generateContent' | 'streamGenerateContent' = 'generateContent',
    startAt?: number,
    signal = new AbortController().signal,
    admitFallback?: (model: string) => Promise<void>,
  ) => callUpstream({ route: r, startAt, version: 'v1beta', dialect: 'ai-studio', collection: 'models', method, bodyFor: () => Buffer.from('{}'), signal, admitFallback });
  return { upstream, sleeps, events, throttles, spans, call };
}

test('a 503 then success: one retry after a full-jitter wait', async () => {
  let n = 0;
  const { call, upstream, sleeps, events } = setup(() => (n++ === 0 ? { status: 503, body: overloaded } : { status: 200, body: OK }));
  const result = await call();
  expect(result).toMatchObject({ model: 'pro', retries: 1, fallbackFrom: undefined });
  expect(upstream.calls).toHaveLength(2);
  expect(sleeps).toEqual([50]); // random 0.5 × min(10 000, 100 × 2^0)
  expect(events).toEqual(['retry pro http_503 50']);
});

test('a 429 waits at least its RetryInfo delay, and throttles admission for the model', async () => {
  let n = 0;
  const { call, sleeps, throttles } = setup(() => (n++ === 0 ? { status: 429, body: quota(2.5) } : { status: 200, body: OK }));
  await call();
  expect(sleeps).toEqual([2500]);
  expect(throttles).toEqual([['pro', 2500]]);
});

test('Retry-After is honoured when the body has no RetryInfo', async () => {
  let n = 0;
  const { call, sleeps } = setup(() => (n++ === 0 ? { status: 503, body: overloaded, retryAfter: '3' } : { status: 200, body: OK }));
  await call();
  expect(sleeps).toEqual([3000]);
});

test('a server-requested wait beyond the longest allowed goes straight to the fallback', async () => {
  const { call, sleeps, events, upstream } = setup((c) => (c.model === 'pro' ? { status: 429, body: quota(60) } : { status: 200, body: OK }));
  const result = await call();
  expect(result).toMatchObject({ model: 'flash', fallbackFrom: 'pro' });
  expect(sleeps).toEqual([]);
  expect(upstream.calls.map((c) => c.model)).toEqual(['pro', 'flash']);
  expect(events).toEqual(['fallback pro→flash retries_exhausted']);
});

test('retries spent on the primary → the fallback answers; every attempt has its own upstream span', async () => {
  const { call, upstream, spans } = setup((c) => (c.model === 'pro' ? { status: 503, body: overloaded } : { status: 200, body: OK }));
  const result = await call();
  expect(result).toMatchObject({ model: 'flash', fallbackFrom: 'pro', retries: 2 });
  expect(upstream.calls.map((c) => c.model)).toEqual(['pro', 'pro', 'pro', 'flash']);
  expect(spans).toEqual(['generateContent pro ai-studio', 'generateContent pro ai-studio', 'generateContent pro ai-studio', 'generateContent flash ai-studio']);
});

test('client errors are not retried and do not fall back', async () => {
  const { call, upstream } = setup(() => ({ status: 400, body: JSON.stringify(new GoogleApiError(400, 'bad').toBody()) }));
  await expect(call()).rejects.toMatchObject({ httpStatus: 400 });
  expect(upstream.calls).toHaveLength(1);
});

test('the retry budget bounds the total wait', async () => {
  const { call, sleeps } = setup(() => ({ status: 503, body: overloaded }), { retry: { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 10_000, budgetMs: 1500 } });
  await expect(call({ ...route, fallbacks: [] })).rejects.toMatchObject({ httpStatus: 503 });
  expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1500);
});

test('the breaker opens on a failure rate over the minimum volume; then requests skip to the fallback', async () => {
  const { call, upstream, events } = setup((c) => (c.model === 'pro' ? { status: 503, body: overloaded } : { status: 200, body: OK }), {
    retry: { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 10_000, budgetMs: 30_000 },
  });
  for (let i = 0; i < 5; i++) await call();
  expect(events).toContain('breaker pro open');
  const before = upstream.calls.filter((c) => c.model === 'pro').length;
  const result = await call();
  expect(result.model).toBe('flash');
  expect(upstream.calls.filter((c) => c.model === 'pro').length).toBe(before); // not even tried
  expect(events.at(-1)).toBe('fallback pro→flash breaker_open');
});

test('a fallback its admission passes over is not asked; the failure names the model that was tried', async () => {
  const { call, upstream, events } = setup((c) => (c.model === 'pro' ? { status: 503, body: overloaded } : { status: 200, body: OK }), {
    retry: { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 10_000, budgetMs: 30_000 },
  });
  const refuseFallbacks = (): Promise<void> => Promise.reject(new GoogleApiError(429, 'its limit is full'));
  const attempt = (): Promise<unknown> => call(route, 'generateContent', undefined, new AbortController().signal, refuseFallbacks).catch((error: unknown) => error);
  // The 503 itself, then (once the breaker is open) the gateway's own 503: both name pro, never flash.
  for (let i = 0; i < 6; i++) expect(failedCallOf(await attempt())).toMatchObject({ model: 'pro' });
  expect(events).toContain('breaker pro open');
  expect(upstream.calls.filter((c) => c.model === 'flash')).toEqual([]);
  expect(events.filter((e) => e.startsWith('fallback'))).toEqual([]);
});

test('half-open after the pause, and closed again when the probe succeeds', async () => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
  try {
    let healthy = false;
    const { call, events } = setup((c) => (c.model === 'pro' && !healthy ? { status: 503, body: overloaded } : { status: 200, body: OK }), {
      retry: { maxAttempts: 1, baseDelayMs: 100, maxDelayMs: 10_000, budgetMs: 30_000 },
    });
    for (let i = 0; i < 5; i++) await call();
    expect(events).toContain('breaker pro open');
    healthy = true;
    jest.advanceTimersByTime(1_001);
    const result = await call();
    expect(result.model).toBe('pro');
    expect(events.slice(-2)).toEqual(['breaker pro half_open', 'breaker pro closed']);
  } finally {
    jest.useRealTimers();
  }
});

test('every model failing ends with the last error', async () => {
  const { call } = setup(() => ({ status: 503, body: overloaded }), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1 } });
  await expect(call()).rejects.toMatchObject({ httpStatus: 503, status: 'UNAVAILABLE' });
});

test('a stream whose first event is an error answered nothing: retried with the wait it asks for, like an error status', async () => {
  let n = 0;
  const { call, upstream, sleeps, throttles } = setup(() => ({ status: 200, body: `data: ${n++ === 0 ? quota(2) : OK}\n\n` }));
  const result = await call(route, 'streamGenerateContent');
  expect(result).toMatchObject({ model: 'pro', retries: 1, answer: { kind: 'stream', first: OK } });
  expect(upstream.calls).toHaveLength(2);
  expect(sleeps[0]).toBeGreaterThanOrEqual(2000);
  expect(throttles).toEqual([['pro', 2000]]);
});

test('an error event without an error status as its code ends as a 502', async () => {
  const { call } = setup(() => ({ status: 200, body: 'data: {"error":{"code":0,"message":"odd"}}\n\n' }), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1 } });
  await expect(call(route, 'streamGenerateContent')).rejects.toMatchObject({ httpStatus: 502, message: 'odd' });
});

test('one deadline per request: each attempt gets what is left of it, and no retry or fallback starts after it', async () => {
  let t = 0;
  const asked: Array<[string, number | undefined]> = [];
  // Each call hangs until its deadline or the transport's own 10 s, whichever comes first.
  const hanging: Upstream = {
    ...fakeUpstream(() => ({ status: 200, body: OK })),
    call: (c) => {
      asked.push([c.model, c.timeoutMs]);
      t += Math.min(c.timeoutMs ?? Infinity, 10_000);
      return Promise.reject(new UpstreamTransportError('timeout', 504, 'Deadline expired before the upstream model answered.'));
    },
  };
  const { call, events } = setup(() => ({ status: 200, body: OK }), {
    upstreams: { 'ai-studio': hanging },
    requestTimeoutMs: 25_000,
    now: () => t,
    sleep: (ms) => {
      t += ms;
      return Promise.resolve();
    },
  });
  await expect(call()).rejects.toMatchObject({ httpStatus: 504, status: 'DEADLINE_EXCEEDED' });
  expect(asked.map(([model]) => model)).toEqual(['pro', 'pro', 'pro']);
  expect(asked[0]?.[1]).toBe(25_000);
  expect(asked[2]?.[1]).toBeLessThan(asked[1]?.[1] ?? 0);
  expect(t).toBe(25_000);
  expect(events.filter((e) => e.startsWith('fallback'))).toEqual([]);
});

test('a call that admission started further down the chain begins there, and says which model it stands in for', async () => {
  const { call, upstream } = setup(() => ({ status: 200, body: OK }));
  const result = await call(route, 'generateContent', 1);
  expect(upstream.calls.map((c) => c.model)).toEqual(['flash']);
  expect(result).toMatchObject({ model: 'flash', fallbackFrom: 'pro' });
});

test('a caller that leaves during the wait between attempts is a 499 noted as not answering; one that leaves during an attempt, as answering', async () => {
  const leaving = new AbortController();
  const { call } = setup(() => ({ status: 503, body: overloaded }), {
    sleep: (ms, signal) => {
      leaving.abort();
      return abortableSleep(ms, signal);
    },
  });
  const waiting = await call(route, 'generateContent', undefined, leaving.signal).catch((e: unknown) => e);
  expect(waiting).toMatchObject({ httpStatus: 499 });
  expect(failedCallOf(waiting)).toMatchObject({ answering: false });

  const gone = new AbortController();
  gone.abort();
  const during = await setup(() => ({ status: 503, body: overloaded })).call(route, 'generateContent', undefined, gone.signal).catch((e: unknown) => e);
  expect(failedCallOf(during)).toMatchObject({ answering: true });
});
