/**
 * `npm run bench`: the gateway against a bare pass-through proxy and the emulator called directly, every
 * server in its own process on loopback, driven by autocannon from this one; targets interleaved round by
 * round so machine drift hits them alike; ratios computed within the run; results printed as one table and
 * written as JSON to bench-results/. A benchmark, not a test: it never fails on a number.
 *
 * See test/bench/README.md for the options and what each number means.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { SETTINGS } from '../../service/config/settings';
import { startRedis, type RedisServer } from '../support/redis';
import { startChild, type ServerChild } from './children';
import { CpuPlacement, describePlacement } from './cpu-placement';
import { formatSummary, summarise } from './cpuprofile-summary';
import { aggregate, bodyMaker, drive, workloadName, type RunSample, type Target, type Workload } from './load';
import { holdStreams, liveMemory, type HeldAfterGc } from './memory';
import { countRedisTrips } from './redis-trips';
import { checkTargets, computeRatios, formatTable, type BenchResults, type Cell } from './report';

const ROOT = join(__dirname, '..', '..');
const GATEWAY_KEY = 'bench-team-key';

export interface BenchOptions {
  durationS: number;
  rounds: number;
  warmupS: number;
  concurrency: number[];
  realistic: boolean;
  quick: boolean;
  peer?: string;
  peerKey?: string;
  /** Extra headers sent to the peer (`--peer-header`); `{upstream}` in a value is the run's emulator URL. */
  peerHeaders: Record<string, string>;
  /** The peer's server process, pinned and measured like the bench's own servers (`--peer-pid`). */
  peerPid?: number;
  /** Also OpenAI-format chat completions (`--openai`), on the gateways and on the peer if it has `peerOpenAI`. */
  openai: boolean;
  /** Where the peer serves OpenAI's API (`--peer-openai`). */
  peerOpenAI?: string;
  redis: boolean;
  memory: boolean;
  memoryStreams: number;
  redisRequests: number;
  promptBytes: number;
  /** Give the server being measured a CPU of its own (see cpu-placement.ts). */
  pin: boolean;
  /** Undefined: the gateway's own default (OTEL_TRACES_SAMPLER_ARG unset), as in production. */
  traceSample: number | undefined;
  /** Settings (by environment name) every gateway gets on top of the bench's own, e.g. a deployment's. */
  gatewaySettings: Record<string, string>;
  outDir: string;
  /** Profile mode: write a CPU profile of the gateway under load here and summarise it. */
  profileDir?: string;
  /** Which workload profile mode drives: cache misses (the default) or cache hits. */
  profileCache: 'miss' | 'hit';
  /** Profile mode drives streamed Gemini calls (`streamGenerateContent`, SSE) instead of unary ones. */
  profileStream: boolean;
  /** Profile mode drives OpenAI-format chat completions instead of Gemini calls. */
  profileOpenAI: boolean;
  profileSeconds: number;
  profileConcurrency: number;
  profileRedis: boolean;
  profileTelemetry: boolean;
  log: (line: string) => void;
}

const USAGE = `usage: npm run bench -- [options]
  --quick                 1 round of 0.5 s, c=16 only, 100 memory streams (a fast look, not a measurement)
  --duration <s>          seconds per target per workload per round (default 1; quick 0.5)
  --rounds <n>            rounds; targets are interleaved in each (default 3; quick 1)
  --concurrency <list>    e.g. 1,16,256 (default; quick 16)
  --warmup <s>            warm-up per target before measuring, split over the request shapes
                          (default 8; quick 0.4)
  --realistic             upstream with 60±15 ms to first byte and a chunk every 30 ms
  --peer <base URL>       also drive another Gemini-compatible gateway (same paths and bodies, after the
                          URL's own path: http://127.0.0.1:8787/v1 calls /v1/v1beta/models/…)
  --peer-key <key>        x-goog-api-key sent to the peer (default: none)
  --peer-header '<Name>: <value>'  another header sent to the peer (repeatable); {upstream} in the value
                          is this run's emulator URL, for a gateway told its upstream per request
  --peer-pid <pid>        the peer's process: pinned and measured (CPU µs/req) like the bench's own servers
  --openai                also OpenAI-format chat completions (unary, miss and hit) on the gateways, which
                          serve them under /v1 (the emulator and the pass-through do not speak that API)
  --peer-openai <base URL>  where the peer serves OpenAI's API, e.g. http://127.0.0.1:8787/v1 (with --openai)
  --no-redis              skip the Redis-state gateway and the round-trip count
  --no-memory             skip the many-streams memory run
  --memory-streams <n>    streams held at once in the memory run (default 1000; quick 100)
  --redis-requests <n>    requests per round-trip count (default 200; quick 20)
  --prompt-bytes <n>      user text per request (default 1024)
  --no-pin                let the scheduler place every process (default: the server being measured
                          alone on one CPU, everything else on the others)
  --trace-sample <ratio>  trace sampling of the telemetry-on gateways (default: the gateway's own default)
  --gateway-env <NAME=VALUE>  a setting every gateway gets, by its environment name (repeatable), e.g.
                          GATEWAY_ACCESS_LOG=failures as the Cloud Run deployment sets it
  --out <dir>             where the JSON goes (default bench-results/)
  --profile <dir>         profile mode: run the gateway with --cpu-prof (profile written to <dir>) under
                          unary cache-miss load, then print the top functions by self time
  --profile-hits          profile under cache-hit load instead
  --profile-stream        profile streamed calls (streamGenerateContent, SSE) instead of unary ones
  --profile-openai        profile under OpenAI-format chat completions (/v1/chat/completions) instead
  --profile-seconds <s>   load time in profile mode (default 15)
  --profile-concurrency <n>  (default 16)
  --profile-redis         profile the Redis-state gateway instead
  --profile-no-telemetry  profile a gateway without telemetry`;

export function parseArgs(argv: string[], log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    durationS: quick ? 0.5 : 1,
    rounds: quick ? 1 : 3,
    warmupS: quick ? 0.4 : 8,
    concurrency: quick ? [16] : [1, 16, 256],
    realistic: false,
    quick,
    peerHeaders: {},
    openai: false,
    redis: true,
    memory: true,
    memoryStreams: quick ? 100 : 1000,
    redisRequests: quick ? 20 : 200,
    promptBytes: 1024,
    pin: true,
    traceSample: undefined,
    gatewaySettings: {},
    outDir: join(ROOT, 'bench-results'),
    profileCache: 'miss',
    profileStream: false,
    profileOpenAI: false,
    profileSeconds: 15,
    profileConcurrency: 16,
    profileRedis: false,
    profileTelemetry: true,
    log,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    const number = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${arg} needs a non-negative number\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--quick':
        break;
      case '--duration':
        options.durationS = number();
        break;
      case '--rounds':
        options.rounds = Math.max(1, Math.round(number()));
        break;
      case '--warmup':
        options.warmupS = number();
        break;
      case '--concurrency':
        options.concurrency = value()
          .split(',')
          .map((c) => Math.round(Number(c)))
          .filter((c) => c > 0);
        break;
      case '--realistic':
        options.realistic = true;
        break;
      case '--peer':
        options.peer = value().replace(/\/+$/, '');
        break;
      case '--peer-key':
        options.peerKey = value();
        break;
      case '--peer-header': {
        const [name, header] = peerHeader(value());
        options.peerHeaders[name] = header;
        break;
      }
      case '--openai':
        options.openai = true;
        break;
      case '--peer-openai':
        options.peerOpenAI = value().replace(/\/+$/, '');
        break;
      case '--peer-pid': {
        const pid = number();
        if (!Number.isInteger(pid) || pid < 1) throw new Error(`--peer-pid needs a process id\n${USAGE}`);
        options.peerPid = pid;
        break;
      }
      case '--no-redis':
        options.redis = false;
        break;
      case '--no-pin':
        options.pin = false;
        break;
      case '--no-memory':
        options.memory = false;
        break;
      case '--memory-streams':
        options.memoryStreams = Math.max(1, Math.round(number()));
        break;
      case '--redis-requests':
        options.redisRequests = Math.max(1, Math.round(number()));
        break;
      case '--prompt-bytes':
        options.promptBytes = Math.round(number());
        break;
      case '--trace-sample':
        options.traceSample = number();
        break;
      case '--gateway-env': {
        const [name, setting] = gatewaySetting(value());
        options.gatewaySettings[name] = setting;
        break;
      }
      case '--out':
        options.outDir = value();
        break;
      case '--profile':
        options.profileDir = value();
        break;
      case '--profile-hits':
        options.profileCache = 'hit';
        break;
      case '--profile-stream':
        options.profileStream = true;
        break;
      case '--profile-openai':
        options.profileOpenAI = true;
        break;
      case '--profile-seconds':
        options.profileSeconds = number();
        break;
      case '--profile-concurrency':
        options.profileConcurrency = Math.max(1, Math.round(number()));
        break;
      case '--profile-redis':
        options.profileRedis = true;
        break;
      case '--profile-no-telemetry':
        options.profileTelemetry = false;
        break;
      case '--help':
      case '-h':
        log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (options.concurrency.length === 0) throw new Error(`--concurrency needs at least one positive number\n${USAGE}`);
  // The bench sends OpenAI-format chat completions unary only.
  if (options.profileStream && options.profileOpenAI) throw new Error(`--profile-stream and --profile-openai: the bench streams Gemini calls only\n${USAGE}`);
  return options;
}

function upstreamTiming(realistic: boolean): { latencyMs: number; latencyJitterMs: number; chunkIntervalMs: number } {
  return realistic ? { latencyMs: 60, latencyJitterMs: 15, chunkIntervalMs: 30 } : { latencyMs: 0, latencyJitterMs: 0, chunkIntervalMs: 0 };
}

/** The upstream emulator's timing, as its process reads it. */
function upstreamEnv(realistic: boolean): Record<string, string> {
  const timing = upstreamTiming(realistic);
  return { BENCH_LATENCY_MS: String(timing.latencyMs), BENCH_LATENCY_JITTER_MS: String(timing.latencyJitterMs), BENCH_CHUNK_INTERVAL_MS: String(timing.chunkIntervalMs) };
}

/** What the bench sets per gateway itself; `--gateway-env` may not change them, or the targets would not be what they say. */
const BENCH_OWN_SETTINGS: ReadonlySet<string> = new Set(
  (['port', 'host', 'geminiBaseUrl', 'apiKey', 'authMode', 'callers', 'telemetry', 'traceSampleRatio', 'tracesExporter', 'redisUrl', 'upstreamConnections'] as const).map((key) => SETTINGS[key].env),
);
const SETTING_NAMES: ReadonlySet<string> = new Set(Object.values(SETTINGS).map((setting) => setting.env));

/** What an HTTP header's name may be made of (RFC 9110's token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A `--peer-header` value, `Name: value`, as [name, value]. */
export function peerHeader(text: string): [string, string] {
  const at = text.indexOf(':');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  if (!HEADER_NAME.test(name)) throw new Error(`--peer-header needs 'Name: value' with Name a header name, not ${JSON.stringify(text)}`);
  return [name, text.slice(at + 1).trim()];
}

/** The peer's headers for this run: its key as `x-goog-api-key`, then `--peer-header`s with `{upstream}` filled in. */
export function peerHeaders(options: Pick<BenchOptions, 'peerKey' | 'peerHeaders'>, upstreamUrl: string): Record<string, string> {
  const headers: Record<string, string> = options.peerKey ? { 'x-goog-api-key': options.peerKey } : {};
  for (const [name, value] of Object.entries(options.peerHeaders)) headers[name] = value.replaceAll('{upstream}', upstreamUrl);
  return headers;
}

/** `NAME=VALUE` for `--gateway-env`: a setting the gateway knows (settings.ts), and not one the bench sets per target. */
export function gatewaySetting(text: string): [string, string] {
  const at = text.indexOf('=');
  const name = at > 0 ? text.slice(0, at) : '';
  if (!SETTING_NAMES.has(name)) throw new Error(`--gateway-env needs NAME=VALUE with NAME a gateway setting (see README's settings table), not ${JSON.stringify(text)}`);
  if (BENCH_OWN_SETTINGS.has(name)) throw new Error(`--gateway-env cannot change ${name}: the bench sets it per target (use its own options)`);
  return [name, text.slice(at + 1)];
}

/**
 * A gateway's settings (by environment name): the bench's base, as production runs it (team keys with limits
 * and a budget, cache on, info logs), then `settings` (--gateway-env), then what this target needs.
 */
export function gatewayEnv(upstreamUrl: string, settings: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const caller = {
    id: 'bench-team',
    keySha256: [createHash('sha256').update(GATEWAY_KEY).digest('hex')],
    // Limits high enough never to refuse, so every request takes the full admission path without being held.
    rpm: 1_000_000_000,
    tpm: 1_000_000_000_000,
    budget: { usd: 1_000_000_000, period: 'day' },
  };
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    GOOGLE_GEMINI_BASE_URL: upstreamUrl,
    GEMINI_API_KEY: 'bench-upstream-key',
    GATEWAY_AUTH_MODE: 'keys',
    GATEWAY_CALLERS: JSON.stringify([caller]),
    ...settings,
    ...extra,
  };
}

/** Telemetry settings by their environment names, as an operator sets them: traces exported over OTLP/HTTP to the sink. */
function telemetryEnv(on: boolean, otlpUrl: string | undefined, sample: number | undefined): Record<string, string> {
  if (!on) return { GATEWAY_TELEMETRY: 'off' };
  return {
    GATEWAY_TELEMETRY: 'on',
    ...(sample === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: String(sample) }),
    ...(otlpUrl ? { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlpUrl}/v1/traces` } : { OTEL_TRACES_EXPORTER: 'none' }),
  };
}

function commit(): string {
  try {
    const head = readFileSync(join(ROOT, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    try {
      return readFileSync(join(ROOT, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(join(ROOT, '.git', 'packed-refs'), 'utf8');
      return new RegExp(`^([0-9a-f]{40}) ${ref}$`, 'm').exec(packed)?.[1] ?? 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function warmTranspileCache(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hook = require('./ts-hook.js') as { warm?: (dirs: string[]) => void };
  hook.warm?.([join(ROOT, 'service'), __dirname]);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Things started by this run, stopped in reverse order whatever happens. */
class Cleanup {
  private readonly steps: Array<() => Promise<void>> = [];
  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await step().catch(() => undefined);
    this.steps.length = 0;
  }
}

/**
 * What a server process holds after a full garbage collection (the memory run's second pass). Collected
 * twice, 50 ms apart: V8 frees the memory of dead Buffers on other threads after a collection, and read
 * straight after one, a figure once still counted 33 MB of the first pass's.
 */
async function heldAfterGc(server: ServerChild): Promise<HeldAfterGc> {
  for (let i = 0; i < 2; i++) {
    if (i > 0) await pause(50);
    if (!(await server.collectGarbage())) throw new Error(`the ${server.role} process did not confirm a full GC`);
  }
  const memory = (await server.stats()).memory;
  if (!memory) throw new Error(`the ${server.role} process reported no memory`);
  return { heapUsed: memory.heapUsed, arrayBuffers: memory.arrayBuffers };
}

async function startServer(cleanup: Cleanup, ...args: Parameters<typeof startChild>): Promise<ServerChild> {
  const child = await startChild(...args);
  cleanup.add(() => child.stop());
  return child;
}

/**
 * Loads every target in each request shape (unary and streaming, miss and hit) so that its JIT is warm, its
 * connections are open and its cache-hit entries are stored. V8 optimises a function only after many calls,
 * and the gateway runs far more functions per request than the emulator or the pass-through. After 1 s of
 * warm-up (0.1 s of hits) it still spent 971 µs of CPU per request in the first workload measured (unary
 * miss c=1), against 584 µs after 6 s: unoptimised code and compiler threads, read as gateway cost.
 *
 * Then every server does a full garbage collection and each target is loaded again for a quarter of the
 * warm-up. V8's first full collections after a warm-up drop objects that optimised code was built around,
 * and hundreds of functions fall back to unoptimised code at once: `--log-deopt` showed a burst of them
 * ("weak objects") in the measured rounds of the one gateway of four that read slow (397 deoptimisations
 * against 156–177; 133 µs per cache hit against 112–114). Collecting before the last warm-up moves that
 * burst out of the measured rounds. It is not the only cause of such a spread: identical servers still
 * differ by up to 15–20%, and which one is slow changes from run to run.
 */
async function warmUp(targets: Target[], servers: ServerChild[], options: BenchOptions, bodies: ReturnType<typeof bodyMaker>, placement: CpuPlacement): Promise<void> {
  const load = async (target: Target, seconds: number): Promise<void> => {
    placement.focus(target.pid);
    const shapes: Workload[] = [false, true].flatMap((stream) => (['miss', 'hit'] as const).map((cache) => ({ stream, cache, concurrency: 16 })));
    if (options.openai && target.openaiUrl !== undefined) shapes.push(...(['miss', 'hit'] as const).map((cache) => ({ stream: false, cache, concurrency: 16, openai: true })));
    for (const shape of shapes) await drive(target, shape, seconds / shapes.length, bodies);
  };
  for (const target of targets) await load(target, options.warmupS);
  for (const server of servers) if (!(await server.collectGarbage())) options.log(`note: the ${server.role} process did not confirm its garbage collection after the warm-up`);
  for (const target of targets) await load(target, options.warmupS / 4);
}

export async function runBench(options: BenchOptions): Promise<{ results: BenchResults; table: string; file: string }> {
  const log = options.log;
  const started = new Date();
  const loadStart = loadavg();
  const cleanup = new Cleanup();
  const nonce = randomBytes(4).toString('hex');
  const bodies = bodyMaker(nonce, options.promptBytes);
  try {
    warmTranspileCache();
    log(`starting servers (${options.realistic ? 'realistic' : 'zero-latency'} upstream)…`);
    const upstream = await startServer(cleanup, 'upstream', upstreamEnv(options.realistic));
    const otlp = upstream.ready.otlpUrl;
    let redisServer: RedisServer | undefined;
    if (options.redis) {
      redisServer = await startRedis();
      cleanup.add(() => redisServer!.stop());
    }
    const [passthrough, gateway, gatewayOff, gatewayRedis] = await Promise.all([
      startServer(cleanup, 'passthrough', { BENCH_UPSTREAM_URL: upstream.url }),
      startServer(cleanup, 'gateway', gatewayEnv(upstream.url, options.gatewaySettings, telemetryEnv(true, otlp, options.traceSample))),
      startServer(cleanup, 'gateway', gatewayEnv(upstream.url, options.gatewaySettings, telemetryEnv(false, undefined, 0))),
      redisServer ? startServer(cleanup, 'gateway', gatewayEnv(upstream.url, options.gatewaySettings, { REDIS_URL: redisServer.url, ...telemetryEnv(true, otlp, options.traceSample) })) : undefined,
    ]);
    const telemetry = gateway.ready.telemetry ?? 'off';
    const telemetryOn = telemetry === 'on';
    for (const child of [upstream, passthrough, gateway, gatewayOff, gatewayRedis]) {
      if (child?.ready.compilerLoaded) log(`note: the ${child.role} process loaded the TypeScript compiler (cold transpile cache); its memory is inflated`);
    }

    const auth = { 'x-goog-api-key': GATEWAY_KEY };
    const targets: Target[] = [
      { id: 'direct', label: 'direct (emulator)', url: upstream.url, headers: auth, pid: upstream.pid, gcPauseMs: () => upstream.gcPauseMs() },
      { id: 'passthrough', label: 'pass-through', url: passthrough.url, headers: auth, pid: passthrough.pid, gcPauseMs: () => passthrough.gcPauseMs() },
      { id: 'gateway', label: telemetryOn ? 'gateway' : 'gateway (no telemetry)', url: gateway.url, headers: auth, pid: gateway.pid, openaiUrl: `${gateway.url}/v1`, gcPauseMs: () => gateway.gcPauseMs() },
    ];
    if (telemetryOn) targets.push({ id: 'gateway-telemetry-off', label: 'gateway, telemetry off', url: gatewayOff.url, headers: auth, pid: gatewayOff.pid, openaiUrl: `${gatewayOff.url}/v1`, gcPauseMs: () => gatewayOff.gcPauseMs() });
    else await gatewayOff.stop();
    if (gatewayRedis) targets.push({ id: 'gateway-redis', label: 'gateway, Redis state', url: gatewayRedis.url, headers: auth, pid: gatewayRedis.pid, openaiUrl: `${gatewayRedis.url}/v1`, gcPauseMs: () => gatewayRedis.gcPauseMs() });
    if (options.peer) targets.push({ id: 'peer', label: `peer ${options.peer}`, url: options.peer, headers: peerHeaders(options, upstream.url), pid: options.peerPid, openaiUrl: options.peerOpenAI });

    const placement = CpuPlacement.plan(options.pin);
    placement.background(process.pid, upstream.pid, redisServer?.pid(), ...targets.map((t) => t.pid));
    log(describePlacement(placement.status));
    log(`warming up ${targets.length} targets…`);
    await warmUp(targets, [upstream, passthrough, gateway, ...(telemetryOn ? [gatewayOff] : []), ...(gatewayRedis ? [gatewayRedis] : [])], options, bodies, placement);

    const workloads: Workload[] = [];
    for (const stream of [false, true]) for (const cache of ['miss', 'hit'] as const) for (const concurrency of options.concurrency) workloads.push({ stream, cache, concurrency });
    if (options.openai) for (const cache of ['miss', 'hit'] as const) for (const concurrency of options.concurrency) workloads.push({ stream: false, cache, concurrency, openai: true });
    const cells: Cell[] = [];
    // The OpenAI workloads run on the targets that serve that API only.
    const targetsOf = (workload: Workload): Target[] => (workload.openai ? targets.filter((t) => t.openaiUrl !== undefined) : targets);
    const total = workloads.reduce((runs, workload) => runs + targetsOf(workload).length * options.rounds, 0);
    let done = 0;
    for (const workload of workloads) {
      const running = targetsOf(workload);
      const samples = new Map<string, RunSample[]>(running.map((t) => [t.id, []]));
      for (let round = 0; round < options.rounds; round++) {
        for (let i = 0; i < running.length; i++) {
          const target = running[(i + round) % running.length]!;
          placement.focus(target.pid);
          samples.get(target.id)!.push(await drive(target, workload, options.durationS, bodies));
          done++;
          await pause(50);
        }
      }
      for (const target of running) cells.push({ workload: workloadName(workload), target: target.id, ...aggregate(samples.get(target.id)!) });
      log(`  ${workloadName(workload).padEnd(18)} done (${done}/${total} runs)`);
    }

    let redis: BenchResults['redis'];
    if (gatewayRedis && redisServer) {
      const degradedMs = (await gatewayRedis.stats()).stateDegradedMs ?? 0;
      log('counting Redis round trips…');
      const hitBody = bodyMaker(`${nonce}-trips`, options.promptBytes).hit;
      const count = (body: () => string, stream: boolean): ReturnType<typeof countRedisTrips> => countRedisTrips(gatewayRedis.url, redisServer.port, auth, options.redisRequests, body, stream);
      // One request of each hit body first, so the counted ones are all hits.
      await countRedisTrips(gatewayRedis.url, redisServer.port, auth, 1, () => hitBody, false);
      await countRedisTrips(gatewayRedis.url, redisServer.port, auth, 1, () => hitBody, true);
      redis = {
        unaryMiss: await count(bodies.miss, false),
        unaryHit: await count(() => hitBody, false),
        streamMiss: await count(bodies.miss, true),
        streamHit: await count(() => hitBody, true),
        degradedMsUnderLoad: degradedMs,
      };
    }

    let telemetryExport: BenchResults['telemetryExport'];
    if (telemetryOn) {
      // Asking a gateway for its stats exports the spans its batch processor still holds.
      const served = await Promise.all([gateway.stats(), gatewayRedis?.stats()]);
      const sink = (await upstream.stats()).otlp;
      const gatewayRequests = served.reduce((n, s) => n + (s?.requests ?? 0), 0);
      if (sink) telemetryExport = { spans: sink.spans, requests: sink.requests, spansPerRequest: sink.spans / Math.max(1, gatewayRequests) };
    }

    // Idle servers from here on: stop them so the memory run has the machine.
    await cleanup.run();
    placement.release();

    let memory: BenchResults['memory'];
    if (options.memory) {
      log(`holding ${options.memoryStreams} slow streams…`);
      // Quick: streams of about a second, still longer than the second pass's measurement with all of them open.
      const chunkIntervalMs = options.quick ? 250 : 1000;
      const slow = await startServer(cleanup, 'upstream', { BENCH_CHUNK_INTERVAL_MS: String(chunkIntervalMs) });
      const upstreamConnections = Math.max(256, options.memoryStreams + 24);
      const held = await startServer(
        cleanup,
        'gateway',
        gatewayEnv(slow.url, options.gatewaySettings, { GATEWAY_UPSTREAM_CONNECTIONS: String(upstreamConnections), ...telemetryEnv(telemetryOn, slow.ready.otlpUrl, options.traceSample) }),
      );
      const target: Target = { id: 'memory', label: 'memory', url: held.url, headers: auth };
      await drive(target, { stream: false, cache: 'miss', concurrency: 4 }, 0.3, bodies);
      await pause(300);
      const gatewayHeld = await holdStreams(held.url, held.pid, auth, options.memoryStreams, bodies.miss, 60_000);
      const gatewayLive = await liveMemory(held.url, held.pid, auth, options.memoryStreams, bodies.miss, 60_000, () => heldAfterGc(held));
      await held.stop();
      // The floor: what a bare Node proxy (node:http and an undici pool) needs to hold the same streams.
      log(`holding ${options.memoryStreams} slow streams through the pass-through…`);
      const floor = await startServer(cleanup, 'passthrough', { BENCH_UPSTREAM_URL: slow.url, BENCH_CONNECTIONS: String(upstreamConnections) });
      await drive({ id: 'memory-passthrough', label: 'memory pass-through', url: floor.url, headers: auth }, { stream: false, cache: 'miss', concurrency: 4 }, 0.3, bodies);
      await pause(300);
      const passthrough = await holdStreams(floor.url, floor.pid, auth, options.memoryStreams, bodies.miss, 60_000);
      const passthroughLive = await liveMemory(floor.url, floor.pid, auth, options.memoryStreams, bodies.miss, 60_000, () => heldAfterGc(floor));
      memory = { ...gatewayHeld, live: gatewayLive, upstreamConnections, chunkIntervalMs, passthrough: { ...passthrough, live: passthroughLive } };
      await cleanup.run();
    }

    const finished = new Date();
    const partial: Omit<BenchResults, 'targets'> = {
      meta: {
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        seconds: (finished.getTime() - started.getTime()) / 1000,
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        autocannon: version('autocannon'),
        commit: commit(),
        loadAverage: { start: loadStart, end: loadavg() },
        mode: options.realistic ? 'realistic' : 'zero-latency',
        upstream: upstreamTiming(options.realistic),
        options: {
          durationS: options.durationS,
          rounds: options.rounds,
          warmupS: options.warmupS,
          concurrency: options.concurrency,
          promptBytes: options.promptBytes,
          traceSample: options.traceSample,
          peer: options.peer,
          // Names only: a header's value may be a credential.
          peerHeaders: Object.keys(options.peerHeaders),
          peerPid: options.peerPid,
          openai: options.openai,
          peerOpenAI: options.peerOpenAI,
          quick: options.quick,
        },
        placement: placement.status,
        gatewaySettings: options.gatewaySettings,
        telemetry: telemetryOn ? `on (sample ratio ${options.traceSample ?? "the gateway's default"}, OTLP/HTTP to a local sink)` : telemetry,
        targets: Object.fromEntries(targets.map((t) => [t.id, t.label])),
      },
      workloads,
      cells,
      ratios: computeRatios(cells),
      telemetryExport,
      redis,
      memory,
    };
    const results: BenchResults = { ...partial, targets: checkTargets(partial) };
    const table = formatTable(results);
    mkdirSync(options.outDir, { recursive: true });
    const file = join(options.outDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log('');
    log(table);
    log('');
    log(`results written to ${file}`);
    return { results, table, file };
  } finally {
    await cleanup.run();
  }
}

/** Profile mode: the gateway under --cpu-prof, unary or streamed load (cache misses, or hits), then the profile's summary. */
export async function runProfile(options: BenchOptions): Promise<string> {
  const dir = options.profileDir!;
  mkdirSync(dir, { recursive: true });
  const cleanup = new Cleanup();
  const before = new Set(readdirSync(dir));
  try {
    warmTranspileCache();
    const upstream = await startServer(cleanup, 'upstream', upstreamEnv(options.realistic));
    let redisServer: RedisServer | undefined;
    if (options.profileRedis) {
      redisServer = await startRedis();
      cleanup.add(() => redisServer!.stop());
    }
    const gateway = await startServer(
      cleanup,
      'gateway',
      gatewayEnv(upstream.url, options.gatewaySettings, { ...telemetryEnv(options.profileTelemetry, upstream.ready.otlpUrl, options.traceSample), ...(redisServer ? { REDIS_URL: redisServer.url } : {}) }),
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250'],
    );
    const bodies = bodyMaker(randomBytes(4).toString('hex'), options.promptBytes);
    const target: Target = { id: 'gateway', label: 'gateway', url: gateway.url, headers: { 'x-goog-api-key': GATEWAY_KEY }, openaiUrl: `${gateway.url}/v1` };
    const placement = CpuPlacement.plan(options.pin);
    placement.background(process.pid, upstream.pid, redisServer?.pid());
    placement.focus(gateway.pid);
    options.log(describePlacement(placement.status));
    const workload: Workload = { stream: options.profileStream, cache: options.profileCache, concurrency: options.profileConcurrency, ...(options.profileOpenAI && { openai: true }) };
    options.log(`profiling the gateway (telemetry ${gateway.ready.telemetry ?? 'off'}${redisServer ? ', Redis state' : ''}) under ${workloadName(workload)} for ${options.profileSeconds} s…`);
    // The first of these requests stores the hit body's answer.
    await drive(target, workload, 2, bodies);
    const sample = aggregate([await drive(target, workload, options.profileSeconds, bodies)]);
    const served = (await gateway.stats()).requests;
    await gateway.stop();
    await cleanup.run();
    const written = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (written.length === 0) throw new Error(`no .cpuprofile was written to ${dir}`);
    const summary = formatSummary(summarise(JSON.parse(readFileSync(written[0]!, 'utf8')) as Parameters<typeof summarise>[0], 30), served);
    const text = `load while profiling: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms (profiler on)\nprofile: ${written[0]}\n\n${summary}`;
    options.log(text);
    return text;
  } finally {
    await cleanup.run();
  }
}

if (require.main === module) {
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const run = options.profileDir ? runProfile(options) : runBench(options);
  run.then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
