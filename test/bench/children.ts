/**
 * Starting and stopping the benchmark's server processes (`server-process.ts`) from the load generator.
 * Every child is tracked and killed when this process exits, whatever happens to the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../../service/node-flags';

export type Role = 'upstream' | 'passthrough' | 'gateway';

export interface ChildReady {
  type: 'ready';
  url: string;
  pid: number;
  otlpUrl?: string;
  /** Gateway only: `on`, `off`, or `unavailable: <why>`. */
  telemetry?: string;
  /** Whether the TypeScript compiler got loaded (a cold transpile cache): it would inflate the process's memory. */
  compilerLoaded?: boolean;
}

export interface ChildStats {
  type: 'stats';
  /** Requests served (emulator: model calls; gateway: HTTP requests). */
  requests?: number;
  otlp?: { requests: number; bytes: number; spans: number };
  memory?: NodeJS.MemoryUsage;
  /** Gateway only: time its shared state (Redis) counted as unreachable, so limits and cache ran from memory. */
  stateDegradedMs?: number;
}

/** The reply to `gc-pauses`. */
export interface ChildGcPauses {
  type: 'gc-pauses';
  /** Main-thread time spent in garbage-collection pauses since the process started, ms (every kind). */
  ms: number;
}

/** The reply to `collect-garbage`, once the collection is done. */
export interface ChildCollected {
  type: 'collected';
  /** Set by the server; false only in the fallback when it did not answer. */
  confirmed: boolean;
}

export type ChildRequest = { type: 'stats' } | { type: 'gc-pauses' } | { type: 'collect-garbage' } | { type: 'stop' };
type ChildReply = ChildReady | ChildStats | ChildGcPauses | ChildCollected;

export interface ServerChild {
  role: Role;
  url: string;
  pid: number;
  ready: ChildReady;
  stats(): Promise<ChildStats>;
  /** Its garbage-collection pauses so far, ms; undefined if it did not answer within 5 s. */
  gcPauseMs(): Promise<number | undefined>;
  /** A full garbage collection in the server (see `warmUp` in bench.ts for why); false if it did not confirm within 5 s. */
  collectGarbage(): Promise<boolean>;
  stop(): Promise<void>;
}

const HOOK = join(__dirname, 'ts-hook.js');
const ENTRY = join(__dirname, 'server-process.ts');
const START_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 8_000;

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** Forks `server-process.ts <role>` with `env` (over a minimal base) and waits for it to say where it listens. */
export function startChild(role: Role, env: Record<string, string>, execArgv: string[] = []): Promise<ServerChild> {
  const child = fork(ENTRY, [role], {
    // A gateway runs with the flags it has in production.
    execArgv: ['--require', HOOK, ...(role === 'gateway' ? GATEWAY_NODE_FLAGS : []), ...execArgv],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    // stdout (the gateway's JSON log lines) goes to /dev/null, as cheap as a log pipe can be; stderr is kept for failures.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench ${role} did not start within ${START_DEADLINE_MS} ms: ${stderr}`));
    }, START_DEADLINE_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench ${role} exited (${code}) before it was ready: ${stderr}`));
    });
    /** Sends `request`; resolves with the child's first reply of `fallback`'s type, or with `fallback` after 5 s. */
    const ask = <T extends ChildReply>(request: ChildRequest, fallback: T): Promise<T> =>
      new Promise((done) => {
        const finish = (reply: T): void => {
          clearTimeout(giveUp);
          child.off('message', listener);
          done(reply);
        };
        const listener = (reply: ChildReply): void => {
          if (reply.type === fallback.type) finish(reply as T);
        };
        const giveUp = setTimeout(() => finish(fallback), 5_000);
        child.on('message', listener);
        if (child.connected) child.send(request);
      });
    child.on('message', function onReady(message: ChildReply) {
      if (message.type !== 'ready') return;
      child.off('message', onReady);
      clearTimeout(timer);
      resolve({
        role,
        url: message.url,
        pid: message.pid,
        ready: message,
        stats: () => ask<ChildStats>({ type: 'stats' }, { type: 'stats' }),
        gcPauseMs: async () => {
          const reply = await ask<ChildGcPauses>({ type: 'gc-pauses' }, { type: 'gc-pauses', ms: NaN });
          return Number.isNaN(reply.ms) ? undefined : reply.ms;
        },
        collectGarbage: async () => (await ask<ChildCollected>({ type: 'collect-garbage' }, { type: 'collected', confirmed: false })).confirmed,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const timeout = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
          if (child.connected) child.send({ type: 'stop' } satisfies ChildRequest);
          else child.kill('SIGTERM');
          await exited;
          clearTimeout(timeout);
        },
      });
    });
  });
}

/** Resident set size now and its peak so far (VmHWM), in bytes, read from /proc (Linux). */
export function residentMemory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, every thread) the process has used so far, in ms; 10 ms resolution (Linux clock ticks). */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
