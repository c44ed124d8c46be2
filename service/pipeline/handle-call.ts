/**
 * A model call's way through the stages (DESIGN §3): authenticate → validate → route → cache → admit →
 * call upstream → account. Plain values in and out: the HTTP layer hands in the parsed request and writes
 * back the answer (whole, or as events it iterates).
 */
import type { Content } from '../protocol/content';
import { cancellationOf, GoogleApiError, streamEndedMidAnswer } from '../protocol/errors';
import { proto3Normalized } from '../protocol/proto3-json';
import type { ModelCallPath } from '../protocol/paths';
import { CandidateFinishes, endsMidAnswer } from '../protocol/stream-format';
import { rejectionOfEvent } from '../upstream/read-reply';
import { type AccountedCall, type AccountOptions, accountFor, type AuditRecord, type FallbackAdmission, failureOutcome, type Outcome } from './account/audit';
import { AdmissionRefused, type Admission, type Admitter, type AdmitRequest } from './admit';
import type { CacheWrite } from '../state/types';
import type { Caller, Credentials } from './authenticate';
import { cacheScope, decodeAnswer, encodeAnswer, shouldUseCache, type CachedAnswer } from './cache';
import { Flights, StreamFlight, UnaryFlight } from './cache/flight';
import { fingerprint, type RequestFingerprint } from './cache/key';
import type { CallResult, UpstreamCaller } from './call';
import { allowedOutputTokens, estimateInputTokens } from './estimate';
import { needsCount, type PromptCounter } from './count-prompt';
import type { PipelineEvents, Tracing } from './events';
import { deprecationNotice, type RouteDecision, type RouteRequest } from './route';
import { validateMedia, type MediaLimits } from './validate/media';
import { validateBody } from './validate/validate-body';
import { worstCaseMicros } from './account/cost';

export interface IncomingCall {
  path: ModelCallPath;
  raw: Buffer;
  body: Record<string, unknown>;
  credentials: Credentials;
  cacheControl?: string;
  signal: AbortSignal;
  /** This call is one of several a client request was split into; every call of it is given the same object. */
  splitRequest?: SplitRequest;
}

/**
 * One client request the gateway sends upstream as several calls, one after another (OpenAI embeddings:
 * batches of 100 inputs). The caller's rpm counts the client's request once, at the first of its calls
 * admitted; each call still reserves its own tokens and cost.
 */
export interface SplitRequest {
  countedAgainstRpm: boolean;
}

/**
 * The request with its input tokens (estimated, or counted by Gemini: see count-prompt.ts) and the output
 * it allows itself, used by routing, admission and accounting.
 */
type EstimatedCall = IncomingCall & AccountedCall;

/**
 * What the account stage is given of a call: never the call itself, whose body (and raw bytes) a stream's
 * settlement would otherwise keep in memory until the stream ends. Nothing that outlives the upstream
 * call's start may hold the call: the closures below take this instead.
 */
function accountedOf(call: EstimatedCall): AccountedCall {
  return { path: call.path, inputTokens: call.inputTokens, maxOutputTokens: call.maxOutputTokens };
}

export type OutgoingAnswer = { kind: 'unary'; body: Buffer } | { kind: 'stream'; events: AsyncGenerator<string> };

export interface CallOutcome {
  headers: Record<string, string>;
  answer: OutgoingAnswer;
}

export interface PipelineOptions extends AccountOptions {
  authenticate: (credentials: Credentials) => Caller;
  route: (request: RouteRequest) => RouteDecision;
  admitter: Admitter;
  callUpstream: UpstreamCaller;
  /** Gemini's count of a prompt with media by URI (see count-prompt.ts). */
  countPrompt: PromptCounter;
  /** How long answers are cached; 0 turns the cache off. */
  cacheTtlMs: number;
  /** Largest answer cached, in stored bytes: a larger one would be slow to read back from shared state. */
  cacheMaxEntryBytes: number;
  media: MediaLimits;
  /** Output tokens reserved for a request that sets no `maxOutputTokens`. */
  defaultMaxOutputTokens: number;
  events: PipelineEvents;
  tracing: Tracing;
}

/** Methods that cost money and count against limits; countTokens/computeTokens are free. */
const BILLABLE = new Set(['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents', 'predict']);
const GENERATIVE = new Set(['generateContent', 'streamGenerateContent', 'countTokens']);

/**
 * What admission granted: the reservation, where in the model's chain the call starts (after models held
 * back), and what the request asks of any model (to admit a fallback the call stage turns to).
 */
interface Admitted {
  admission?: Admission;
  startAt?: number;
  requestFor?: (model: string) => AdmitRequest;
}

/** Settles and audits a call; `usage` is the unary body or the last stream event that carried usage. */
type Finish = (outcome: Outcome, usage: string | Buffer | undefined, ending?: { cacheWrite?: CacheWrite; error?: unknown }) => Promise<void>;

/** Bodies that name the model inside (batch embeddings, the legacy countTokens wrapper) follow the route. */
function bodyForModel(call: IncomingCall): (model: string) => Uint8Array {
  const cache = new Map<string, Uint8Array>();
  return (model) => {
    if (model === call.path.model) return call.raw;
    const hit = cache.get(model);
    if (hit) return hit;
    const name = `models/${model}`;
    const body = call.body;
    let rewritten: Record<string, unknown> | undefined;
    if (Array.isArray(body.requests)) rewritten = { ...body, requests: (body.requests as Array<Record<string, unknown>>).map((r) => (r.model ? { ...r, model: name } : r)) };
    const wrapped = body.generateContentRequest as Record<string, unknown> | undefined;
    if (wrapped?.model) rewritten = { ...body, generateContentRequest: { ...wrapped, model: name } };
    const bytes = rewritten ? Buffer.from(JSON.stringify(rewritten)) : call.raw;
    cache.set(model, bytes);
    return bytes;
  };
}

function routeHeaders(route: RouteDecision, modelUsed: string, cacheHeader: string | undefined, key: RequestFingerprint | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'x-gemini-model-used': modelUsed };
  if (route.deprecation) headers['x-gateway-deprecation'] = deprecationNotice(route.deprecation);
  if (cacheHeader) headers['x-cache'] = cacheHeader;
  if (key && cacheHeader) headers['x-cache-key'] = key.cacheKey.slice(0, 16);
  return headers;
}

export function createPipeline(options: PipelineOptions) {
  const unaryFlights = new Flights<UnaryFlight<{ model: string; body: Buffer; cacheHeader: 'HIT' | 'MISS' }>>();
  const streamFlights = new Flights<StreamFlight>();
  const account = accountFor(options);

  /**
   * Admission for a billable call (none for a free one). With `lookup`, the cache is consulted in the same
   * step: when it holds an answer of the kind asked for, that answer comes back and nothing is charged.
   */
  async function admitCall(call: EstimatedCall, caller: Caller, route: RouteDecision, key: RequestFingerprint, signal: AbortSignal, lookup: CachedAnswer['kind'] | undefined): Promise<Admitted & { cached?: CachedAnswer }> {
    if (!BILLABLE.has(call.path.method)) return {};
    const { inputTokens, maxOutputTokens } = call;
    const countsAsRequest = call.splitRequest?.countedAgainstRpm !== true;
    const requestFor = (model: string): AdmitRequest => ({
      caller,
      model,
      inputTokens,
      maxOutputTokens,
      worstCaseMicros: worstCaseMicros(options.prices, model, account.day(), inputTokens, maxOutputTokens),
      signal,
      countsAsRequest,
    });
    const admitted = await admitOrServe(route, key, requestFor, lookup);
    if (admitted.admission && call.splitRequest) call.splitRequest.countedAgainstRpm = true;
    return { ...admitted, requestFor };
  }

  /** Admission in its span: with `lookup`, an answer the cache holds instead. */
  function admitOrServe(route: RouteDecision, key: RequestFingerprint, requestFor: (model: string) => AdmitRequest, lookup: CachedAnswer['kind'] | undefined): Promise<Admitted & { cached?: CachedAnswer }> {
    return options.tracing.inStage('admit', route.model, async () => {
      try {
        if (lookup) {
          const admitted = await options.admitter.admit(requestFor(route.model), key.cacheKey);
          if (!('cached' in admitted)) return { admission: admitted };
          const cached = decodeAnswer(admitted.cached, lookup);
          if (cached) return { cached };
          // Bytes another version wrote: a miss, admitted like any other.
        }
        return { admission: await options.admitter.admit(requestFor(route.model)) };
      } catch (error) {
        return admitFallback(error, route, requestFor);
      }
    });
  }

  /**
   * Gemini asked the gateway to slow down for the model (its 429's RetryInfo outlasts the admission queue):
   * the first model of the fallback chain that is not held back takes the request, as it would have after
   * that 429 in the call stage. Any other refusal, or a chain held back throughout, ends the request.
   */
  async function admitFallback(refused: unknown, route: RouteDecision, requestFor: (model: string) => AdmitRequest): Promise<Admitted> {
    let refusal = refused;
    let from = route.model;
    for (const [index, fallback] of route.fallbacks.entries()) {
      if (!(refusal instanceof AdmissionRefused && refusal.reason === 'throttled')) break;
      try {
        const admission = await options.admitter.admit(requestFor(fallback.model));
        // Counted once the fallback takes the request, as the call stage counts its own.
        options.events.fallback({ fromModel: from, toModel: fallback.model, reason: 'throttled' });
        return { admission, startAt: index + 1 };
      } catch (error) {
        refusal = error;
        from = fallback.model;
      }
    }
    throw refusal;
  }

  /** Calls upstream under `admission`; `finish` settles and audits when the answer is complete (or failed). */
  async function callAdmitted(call: EstimatedCall, caller: Caller, route: RouteDecision, key: RequestFingerprint, { admission, startAt, requestFor }: Admitted, signal: AbortSignal, cacheLabel: AuditRecord['cache'], startedMs: number): Promise<{ result: CallResult; finish: Finish }> {
    const accounted = accountedOf(call);
    // A fallback the call stage turns to is admitted for its own limits and dearer worst case (admit stage).
    const fallbackAdmissions: FallbackAdmission[] = [];
    const admitFallback =
      admission && requestFor
        ? async (model: string): Promise<void> => {
            fallbackAdmissions.push({ model, admission: await options.admitter.admitFallback(admission, requestFor(model)) });
          }
        : undefined;
    let result: CallResult;
    try {
      result = await options.callUpstream({ route, startAt, version: call.path.version, dialect: call.path.dialect, collection: call.path.collection, method: call.path.method, bodyFor: bodyForModel(call), signal, admitFallback });
    } catch (error) {
      await account.record({ call: accounted, caller, route, key, result: undefined, admission, fallbackAdmissions, usageText: undefined, outcome: failureOutcome(error), error, cache: cacheLabel, startedMs });
      throw error;
    }
    const finish: Finish = (outcome, usageText, ending = {}) =>
      account.record({ call: accounted, caller, route, key, result, admission, fallbackAdmissions, usageText, outcome, error: ending.error, cache: cacheLabel, startedMs, ...(ending.cacheWrite && { cacheWrite: ending.cacheWrite }) });
    return { result, finish };
  }

  /** Admission without a cache lookup, then the call. */
  async function uncachedCall(call: EstimatedCall, caller: Caller, route: RouteDecision, key: RequestFingerprint, signal: AbortSignal): Promise<{ result: CallResult; finish: Finish }> {
    const startedMs = account.now();
    const admitted = await admitCall(call, caller, route, key, signal, undefined);
    return callAdmitted(call, caller, route, key, admitted, signal, 'bypass', startedMs);
  }

  /** A hit: reported, audited, and marked in the headers. */
  async function servedFromCache(call: EstimatedCall, caller: Caller, route: RouteDecision, key: RequestFingerprint): Promise<Record<string, string>> {
    options.events.cache({ model: route.model, result: 'hit' });
    await account.recordWithoutCall({ call: accountedOf(call), caller, route, key }, 'hit');
    return routeHeaders(route, route.model, 'HIT', key);
  }

  /**
   * What to store of a complete answer. Never a fallback's: the key names the model asked for, which may
   * answer again long before the entry would expire, and a hit is reported as that model's answer. Nor one
   * over the entry size: reading it back from Redis would outlast the command deadline.
   */
  function cacheWriteOf(key: RequestFingerprint, result: CallResult, answer: CachedAnswer): CacheWrite | undefined {
    if (result.fallbackFrom !== undefined) return undefined;
    const value = encodeAnswer(answer);
    return value && value.length <= options.cacheMaxEntryBytes ? { key: key.cacheKey, value, ttlMs: options.cacheTtlMs } : undefined;
  }

  async function unary(call: EstimatedCall, caller: Caller, route: RouteDecision, key: RequestFingerprint, useCache: boolean): Promise<CallOutcome> {
    if (!useCache) {
      const { result, finish } = await uncachedCall(call, caller, route, key, call.signal);
      const body = unaryBody(result);
      await finish('success', body);
      return { headers: routeHeaders(route, result.model, undefined, undefined), answer: { kind: 'unary', body } };
    }
    const existing = unaryFlights.get(key.cacheKey);
    if (existing?.followableBy(caller.id)) {
      options.events.cache({ model: route.model, result: 'coalesced' });
      const accounted = accountedOf(call);
      const shared = await existing.wait(call.signal).catch(async (error: unknown) => {
        await account.recordWithoutCall({ call: accounted, caller, route, key }, 'coalesced', error);
        throw error;
      });
      await account.recordWithoutCall({ call: accounted, caller, route, key }, 'coalesced');
      return { headers: routeHeaders(route, shared.model, shared.cacheHeader, key), answer: { kind: 'unary', body: shared.body } };
    }
    // The shared call runs for every request waiting on it, whoever asked first, until they have all left.
    const flight = new UnaryFlight(caller.id, async (signal, markAdmitted) => {
      const startedMs = account.now();
      const { cached, ...admitted } = await admitCall(call, caller, route, key, signal, 'unary');
      markAdmitted();
      if (cached?.kind === 'unary') return { model: route.model, body: cached.body, cacheHeader: 'HIT' as const };
      options.events.cache({ model: route.model, result: 'miss' });
      const { result, finish } = await callAdmitted(call, caller, route, key, admitted, signal, 'miss', startedMs);
      const body = unaryBody(result);
      await finish('success', body, { cacheWrite: cacheWriteOf(key, result, { kind: 'unary', body }) });
      return { model: result.model, body, cacheHeader: 'MISS' as const };
    });
    unaryFlights.start(key.cacheKey, flight);
    try {
      const answered = await flight.wait(call.signal);
      const headers = answered.cacheHeader === 'HIT' ? await servedFromCache(call, caller, route, key) : routeHeaders(route, answered.model, 'MISS', key);
      return { headers, answer: { kind: 'unary', body: answered.body } };
    } finally {
      unaryFlights.end(key.cacheKey, flight);
    }
  }

  async function stream(call: EstimatedCall, caller: Caller, route: RouteDecision, key: RequestFingerprint, useCache: boolean): Promise<CallOutcome> {
    // The closures made here last as long as the stream: they take these, never `call` (see accountedOf).
    const { signal } = call;
    const candidates = candidatesAsked(call.body);
    if (!useCache) {
      const { result, finish } = await uncachedCall(call, caller, route, key, signal);
      return { headers: routeHeaders(route, result.model, undefined, undefined), answer: { kind: 'stream', events: relayed(result, finish, signal, candidates) } };
    }
    const existing = streamFlights.get(key.cacheKey);
    if (existing?.followableBy(caller.id)) {
      options.events.cache({ model: route.model, result: 'coalesced' });
      const accounted = accountedOf(call);
      const record = (error: unknown): Promise<void> => account.recordWithoutCall({ call: accounted, caller, route, key }, 'coalesced', error);
      return { headers: routeHeaders(route, route.model, 'MISS', key), answer: { kind: 'stream', events: followed(existing.subscribe(signal), signal, record) } };
    }
    const upstreamAbort = new AbortController();
    const flight = new StreamFlight(caller.id, (reason) => upstreamAbort.abort(reason));
    streamFlights.start(key.cacheKey, flight);
    // Until the leader reads the flight, its leaving is the flight's to weigh against any follower's reading.
    const leaderLeft = (): void => flight.left(signal.reason);
    signal.addEventListener('abort', leaderLeft, { once: true });
    if (signal.aborted) leaderLeft();
    let started: { result: CallResult; finish: Finish };
    try {
      const startedMs = account.now();
      const { cached, ...admitted } = await admitCall(call, caller, route, key, upstreamAbort.signal, 'stream');
      flight.markAdmitted();
      if (cached?.kind === 'stream') {
        // Followers that joined meanwhile read the answer through the flight.
        for (const event of cached.events) flight.push(event);
        flight.finish();
        streamFlights.end(key.cacheKey, flight);
        return { headers: await servedFromCache(call, caller, route, key), answer: { kind: 'stream', events: replay(cached.events) } };
      }
      options.events.cache({ model: route.model, result: 'miss' });
      started = await callAdmitted(call, caller, route, key, admitted, upstreamAbort.signal, 'miss', startedMs);
    } catch (error) {
      flight.finish(error instanceof GoogleApiError ? error : new GoogleApiError(500, 'Internal error in the gateway.'));
      streamFlights.end(key.cacheKey, flight);
      throw error;
    } finally {
      signal.removeEventListener('abort', leaderLeft);
    }
    // The complete stream is stored with the settlement, when the relay ends.
    const finish: Finish = (outcome, usageText, ending = {}) =>
      started.finish(outcome, usageText, outcome === 'success' ? { cacheWrite: cacheWriteOf(key, started.result, { kind: 'stream', events: flight.events }) } : ending);
    // The pump reads the upstream once and feeds every subscriber, the first caller included.
    void (async () => {
      try {
        for await (const event of relayed(started.result, finish, upstreamAbort.signal, candidates)) flight.push(event);
        flight.finish();
      } catch (error) {
        flight.finish(error instanceof GoogleApiError ? error : new GoogleApiError(502, 'The upstream stream failed.'));
      } finally {
        streamFlights.end(key.cacheKey, flight);
      }
    })();
    return { headers: routeHeaders(route, started.result.model, 'MISS', key), answer: { kind: 'stream', events: flight.subscribe(signal) } };
  }

  /**
   * The upstream's events as they come; settles and audits with the last usage seen when the stream ends.
   * A stream that ends cleanly in the middle of an answer (no finish reason; with several candidates asked
   * for, any of them without one) ends with an error event, as a failed one does: the client is told its
   * answer is cut short, the call is audited as failed, and nothing is cached.
   */
  async function* relayed(result: CallResult, finish: Finish, signal: AbortSignal, candidates: number): AsyncGenerator<string> {
    if (result.answer.kind !== 'stream') return;
    let lastUsage: string | undefined;
    let last: string | undefined;
    let failure: unknown;
    let ended = false;
    const finishes = candidates > 1 ? new CandidateFinishes() : undefined;
    const note = (event: string): string => {
      if (event.includes('"usageMetadata"')) lastUsage = event;
      finishes?.note(event);
      last = event;
      return event;
    };
    try {
      if (result.answer.first !== '') yield note(result.answer.first);
      for await (const event of result.answer.rest) {
        yield note(event);
        failure ??= rejectionOfEvent(event);
      }
      if (failure === undefined && last !== undefined && (finishes ? finishes.endsMidAnswer : endsMidAnswer(last))) throw streamEndedMidAnswer();
      ended = true;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // Stopped before its end (a read cut, or its reader gone): as the cancellation says, the caller left
      // or the gateway shut down; never the read's own error.
      if (!ended && signal.aborted) failure = cancellationOf(signal);
      await finish(failure === undefined ? (ended ? 'success' : 'cancelled') : failureOutcome(failure), lastUsage, { error: failure });
    }
  }

  return async function handleModelCall(received: IncomingCall): Promise<CallOutcome> {
    // Its client gone, or the drain time of a shutdown up, before it began: nothing starts.
    if (received.signal.aborted) throw cancellationOf(received.signal);
    const caller = await options.tracing.inStage('authenticate', undefined, () => Promise.resolve(options.authenticate(received.credentials)));
    // Read, checked, keyed and sent in one spelling: the one the SDKs send, and every stage reads.
    const body = proto3Normalized(received.path.method, received.body);
    const incoming = body === received.body ? received : { ...received, body, raw: Buffer.from(JSON.stringify(body)) };
    validateBody(incoming.path.method, incoming.body);
    // Routed on the estimate, made once the body is known to have the request's shape; checked for the backend routed to.
    const routed = (inputTokens: number): RouteDecision => {
      const decision = options.route({
        requestedModel: incoming.path.model,
        caller,
        estimatedInputTokens: inputTokens,
        isEndpoint: incoming.path.collection === 'endpoints',
        isTunedModel: incoming.path.collection === 'tunedModels',
      });
      if (GENERATIVE.has(incoming.path.method)) {
        const request = (incoming.body.generateContentRequest as Record<string, unknown> | undefined) ?? incoming.body;
        validateMedia((request.contents as Content[] | undefined) ?? [], request.systemInstruction as Content | undefined, decision.backend, options.media);
      }
      return decision;
    };
    const estimated = estimateInputTokens(incoming.body);
    let route = routed(estimated);
    let inputTokens = estimated;
    // Media by URI: Gemini's own count of the prompt, and the route for that size (see count-prompt.ts).
    if (needsCount(incoming.path.method, incoming.body)) {
      const counted = await options.countPrompt(incoming.path, incoming.body, route, incoming.signal);
      if (counted !== undefined && counted !== estimated) {
        inputTokens = counted;
        route = routed(counted);
      }
    }
    const call: EstimatedCall = { ...incoming, inputTokens, maxOutputTokens: allowedOutputTokens(incoming.path.method, incoming.body, options.defaultMaxOutputTokens) };
    const useCache = shouldUseCache(options.cacheTtlMs, call.path.method, caller.policy, call.cacheControl);
    const key = fingerprint(route.model, call.path, cacheScope(caller), call.body);

    if (!BILLABLE.has(call.path.method)) {
      const { result, finish } = await uncachedCall(call, caller, route, key, call.signal);
      const body = unaryBody(result);
      await finish('success', undefined);
      return { headers: routeHeaders(route, result.model, undefined, undefined), answer: { kind: 'unary', body } };
    }
    if (!useCache) options.events.cache({ model: route.model, result: 'bypass' });
    return call.path.method === 'streamGenerateContent' ? stream(call, caller, route, key, useCache) : unary(call, caller, route, key, useCache);
  };
}

/** Candidates a generating request asked for (`generationConfig.candidateCount`; one by default). */
function candidatesAsked(body: Record<string, unknown>): number {
  const count = (body.generationConfig as { candidateCount?: unknown } | undefined)?.candidateCount;
  return typeof count === 'number' ? count : 1;
}

/** The body of an answer to a unary method (never a stream: only streamGenerateContent streams). */
function unaryBody(result: CallResult): Buffer {
  return result.answer.kind === 'unary' ? result.answer.body : Buffer.alloc(0);
}

/**
 * A shared stream as one follower reads it, audited when it ends: as the shared call ended (its failure
 * included), or cancelled when the follower left first. Audited at the start, a follower of a stream that
 * then failed read as a success.
 */
async function* followed(events: AsyncGenerator<string>, signal: AbortSignal, record: (error: unknown) => Promise<void>): AsyncGenerator<string> {
  let failure: unknown;
  try {
    for await (const event of events) {
      // Google ends a stream that failed midway with an error event: the shared call failed.
      failure ??= rejectionOfEvent(event);
      yield event;
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    await record(failure ?? (signal.aborted ? signal.reason : undefined));
  }
}

/** A cached stream, replayed in the shape of a live one. */
// eslint-disable-next-line @typescript-eslint/require-await -- the events are already here; the async shape is what the writer consumes
async function* replay(events: readonly string[]): AsyncGenerator<string> {
  for (const event of events) yield event;
}

export type ModelCallHandler = ReturnType<typeof createPipeline>;
