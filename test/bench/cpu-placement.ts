/**
 * Where the benchmark's processes run. The server being measured gets a CPU of its own; this process (the
 * load generator), the emulator, Redis and the idle servers share the others, as remote clients and a
 * remote upstream would in production.
 *
 * Left to the scheduler on a 2-core machine, three busy processes (load generator, server, emulator) land
 * wherever it puts them. A server sharing a core with the emulator is woken on that core, which costs less
 * than a wake-up from the other core. The bare pass-through's CPU per request then read 96 µs in one run
 * and 184 µs in another on unchanged code, and gateway ÷ pass-through with it 0.50–0.70. Pinned, every
 * measured server pays the same for each wake-up: four runs gave 0.65–0.78, the pass-through's CPU per
 * request 107–152 µs (its own state varies from process to process; see `warmUp` in bench.ts).
 *
 * Uses `taskset` (util-linux); `-a` moves every thread of the process (V8's and libuv's included).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type PlacementStatus = { pinned: true; serverCpus: number[]; otherCpus: number[] } | { pinned: false; reason: string };

/** The CPUs this process may run on (`Cpus_allowed_list` in /proc, e.g. `0-3,6`). */
export function allowedCpus(statusText: string = readFileSync('/proc/self/status', 'utf8')): number[] {
  const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(statusText)?.[1]?.trim();
  if (!list) return [];
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number);
    if (from === undefined || !Number.isInteger(from)) return [];
    const last = to !== undefined && Number.isInteger(to) ? to : from;
    return Array.from({ length: last - from + 1 }, (_, i) => from + i);
  });
}

function pin(pid: number, cpus: number[]): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)], { stdio: 'ignore' });
}

export class CpuPlacement {
  private focused: number | undefined;

  private constructor(readonly status: PlacementStatus) {}

  /** Pinning as asked and as this machine allows (at least two CPUs, `taskset` on the PATH). */
  static plan(wanted: boolean, cpus: number[] = allowedCpus()): CpuPlacement {
    if (!wanted) return new CpuPlacement({ pinned: false, reason: 'off (--no-pin)' });
    if (cpus.length < 2) return new CpuPlacement({ pinned: false, reason: `off (${cpus.length} CPU${cpus.length === 1 ? '' : 's'} available)` });
    try {
      execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    } catch {
      return new CpuPlacement({ pinned: false, reason: 'off (taskset, from util-linux, not found)' });
    }
    const [server, ...rest] = cpus as [number, ...number[]];
    return new CpuPlacement({ pinned: true, serverCpus: [server], otherCpus: rest });
  }

  /** Puts these processes (load generator, emulator, Redis, servers not being measured) on the other CPUs. */
  background(...pids: Array<number | undefined>): void {
    if (!this.status.pinned) return;
    for (const pid of pids) if (pid !== undefined && pid !== this.focused) pin(pid, this.status.otherCpus);
  }

  /**
   * Gives the server about to be measured the server CPU and sends the previous one back. `undefined` (a
   * peer, which is not our process) leaves the server CPU idle: the peer runs wherever its owner put it.
   */
  focus(pid: number | undefined): void {
    if (!this.status.pinned || pid === this.focused) return;
    if (this.focused !== undefined) pin(this.focused, this.status.otherCpus);
    this.focused = pid;
    if (pid !== undefined) pin(pid, this.status.serverCpus);
  }

  /** Lets this process (and the children it starts from now on, which inherit its CPUs) run anywhere again. */
  release(): void {
    if (!this.status.pinned) return;
    this.focused = undefined;
    pin(process.pid, [...this.status.serverCpus, ...this.status.otherCpus]);
  }

}

/** One line for the report. */
export function describePlacement(status: PlacementStatus): string {
  if (!status.pinned) return `CPU placement: ${status.reason}; the scheduler places every process`;
  return `CPU placement: the server being measured alone on CPU ${status.serverCpus.join(',')}; load generator, emulator, Redis and idle servers on CPU ${status.otherCpus.join(',')}`;
}
