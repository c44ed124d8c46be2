/**
 * Load generation with autocannon: one workload (unary or streaming, cache miss or hit, a concurrency) against
 * one target for a fixed time. Latency is taken from autocannon's per-response `response` event (float
 * milliseconds) rather than its histogram, which keeps whole milliseconds only: the gateway's added latency
 * is well under one.
 */
import autocannon from 'autocannon';
import { cpuTimeMs } from './children';

export const MODEL = 'gemini-3.5-flash-lite';

export interface Workload {
  stream: boolean;
  cache: 'miss' | 'hit';
  concurrency: number;
  /** OpenAI-format chat completions (unary) instead of Gemini calls, on the targets that serve them. */
  openai?: boolean;
}

export interface Target {
  /** Short id (JSON key), e.g. `gateway`. */
  id: string;
  label: string;
  url: string;
  headers: Record<string, string>;
  /** The server process behind the URL (ours, or a peer's given by --peer-pid), whose CPU time is measured per run. */
  pid?: number;
  /** Where the target serves OpenAI's API, if it does: chat completions go to `<openaiUrl>/chat/completions`. */
  openaiUrl?: string;
  /** The bench's own servers: their garbage-collection pauses so far, ms (asked before and after each run). */
  gcPauseMs?: () => Promise<number | undefined>;
}

/** One timed run: responses counted here, latencies of the 2xx ones in ms. */
export interface RunSample {
  ok: number;
  non2xx: number;
  errors: number;
  elapsedS: number;
  latenciesMs: Float64Array;
  /** CPU time the target's server process used during the run, ms (undefined when not ours). */
  cpuMs?: number;
  /** Of that, main-thread time paused for garbage collection, ms (undefined when not ours). */
  gcMs?: number;
}

export function workloadName(w: Workload): string {
  return w.openai ? `openai ${w.cache} c=${w.concurrency}` : `${w.stream ? 'stream' : 'unary'} ${w.cache} c=${w.concurrency}`;
}

export function callPath(stream: boolean): string {
  return stream ? `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse` : `/v1beta/models/${MODEL}:generateContent`;
}

/** The path a call takes on `target`: its URL's own path first (a gateway serving Gemini under `/v1`, say). */
export function targetCallPath(target: Pick<Target, 'url'>, stream: boolean): string {
  return new URL(target.url).pathname.replace(/\/+$/, '') + callPath(stream);
}

/** Where a workload's calls go on `target`: its origin and the path. */
function endpointOf(target: Target, workload: Workload): { origin: string; path: string } {
  if (!workload.openai) return { origin: new URL(target.url).origin, path: targetCallPath(target, workload.stream) };
  if (target.openaiUrl === undefined) throw new Error(`${target.label} serves no OpenAI API`);
  const base = new URL(target.openaiUrl);
  return { origin: base.origin, path: `${base.pathname.replace(/\/+$/, '')}/chat/completions` };
}

const FILLER = 'The gateway forwards this prompt to Gemini and relays the answer; every stage it adds must cost next to nothing. ';

/**
 * Request bodies about the size of a real short prompt (a system instruction and ~1 KB of user text). A
 * cache-miss body differs from every other one the run ever sends (a run nonce and a counter); a hit body
 * is one fixed text per run.
 */
export function bodyMaker(nonce: string, promptBytes: number): { miss: () => string; hit: string; chatMiss: () => string; chatHit: string } {
  const text = FILLER.repeat(Math.max(1, Math.ceil(promptBytes / FILLER.length))).slice(0, promptBytes);
  const body = (prefix: string): string =>
    JSON.stringify({
      systemInstruction: { parts: [{ text: 'You are a concise assistant.' }] },
      contents: [{ role: 'user', parts: [{ text: `${prefix} ${text}` }] }],
      generationConfig: { maxOutputTokens: 256, temperature: 0.2 },
    });
  // The same request in OpenAI's chat format (which the gateway translates into the Gemini one above).
  const chat = (prefix: string): string =>
    JSON.stringify({
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are a concise assistant.' },
        { role: 'user', content: `${prefix} ${text}` },
      ],
      max_tokens: 256,
      temperature: 0.2,
    });
  let n = 0;
  return { miss: () => body(`[${nonce}-${n++}]`), hit: body(`[${nonce}-hit]`), chatMiss: () => chat(`[${nonce}-${n++}]`), chatHit: chat(`[${nonce}-chat-hit]`) };
}

export async function drive(target: Target, workload: Workload, durationS: number, bodies: ReturnType<typeof bodyMaker>): Promise<RunSample> {
  // Asked outside the timed run: the server answers between requests, and that CPU is not the run's.
  const gcBefore = await target.gcPauseMs?.();
  const sample = await run(target, workload, durationS, bodies);
  const gcAfter = gcBefore === undefined ? undefined : await target.gcPauseMs?.();
  return gcBefore !== undefined && gcAfter !== undefined ? { ...sample, gcMs: gcAfter - gcBefore } : sample;
}

function run(target: Target, workload: Workload, durationS: number, bodies: ReturnType<typeof bodyMaker>): Promise<RunSample> {
  const headers = { 'content-type': 'application/json', ...target.headers };
  const { origin, path } = endpointOf(target, workload);
  const [miss, hit] = workload.openai ? [bodies.chatMiss, bodies.chatHit] : [bodies.miss, bodies.hit];
  const request: autocannon.Request =
    workload.cache === 'hit' ? { method: 'POST', path, headers, body: hit } : { method: 'POST', path, headers, setupRequest: (req) => ({ ...req, body: miss() }) };
  let latencies = new Float64Array(4096);
  let ok = 0;
  let non2xx = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = target.pid === undefined ? undefined : cpuTimeMs(target.pid);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections: workload.concurrency,
        pipelining: 1,
        duration: durationS,
        sampleInt: 100,
        timeout: 20,
        requests: [request],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
        const cpuAfter = target.pid === undefined ? undefined : cpuTimeMs(target.pid);
        const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
        resolve({ ok, non2xx, errors: result.errors + result.timeouts, elapsedS, latenciesMs: latencies.slice(0, ok), cpuMs });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
      if (statusCode < 200 || statusCode >= 300) {
        non2xx++;
        return;
      }
      if (ok === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[ok++] = responseTimeMs;
    });
  });
}

/** The p-th percentile (0..100) of sorted values, nearest-rank. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Many runs of one workload on one target, merged: throughput over the total measured time, percentiles over every response. */
export interface Aggregate {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  roundRps: number[];
  /** CPU time of the target's server process per successful request, µs (null when not measured). */
  cpuUsPerRequest: number | null;
  /** Of that, main-thread garbage-collection pauses per successful request, µs (null when not measured). */
  gcUsPerRequest: number | null;
}

/** A per-run time (ms) summed over the runs, per successful request in µs; null unless every run measured it. */
function perRequestUs(samples: RunSample[], ok: number, ms: (sample: RunSample) => number | undefined): number | null {
  if (ok === 0 || samples.some((s) => ms(s) === undefined)) return null;
  return (samples.reduce((n, s) => n + ms(s)!, 0) * 1000) / ok;
}

export function aggregate(samples: RunSample[]): Aggregate {
  const total = samples.reduce((n, s) => n + s.latenciesMs.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const s of samples) {
    all.set(s.latenciesMs, at);
    at += s.latenciesMs.length;
  }
  all.sort();
  const ok = samples.reduce((n, s) => n + s.ok, 0);
  const elapsed = samples.reduce((n, s) => n + s.elapsedS, 0);
  return {
    rps: elapsed > 0 ? ok / elapsed : 0,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    ok,
    non2xx: samples.reduce((n, s) => n + s.non2xx, 0),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    roundRps: samples.map((s) => (s.elapsedS > 0 ? s.ok / s.elapsedS : 0)),
    cpuUsPerRequest: perRequestUs(samples, ok, (s) => s.cpuMs),
    gcUsPerRequest: perRequestUs(samples, ok, (s) => s.gcMs),
  };
}
