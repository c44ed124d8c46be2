/**
 * Lifecycle helpers for the system tests that run the compiled gateway as real processes
 * (`test/support/process.ts` starts them; this stops them and reads what the kernel says about them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayProcess, type GatewayProcess } from '../../support/process';

/** How long a gateway may take to drain and exit on SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * Starts several gateway processes at once. If any fails to start, the ones that did start are stopped
 * before the error is thrown, so a partial setup never leaks a process.
 */
export async function startGatewayProcesses(envs: Array<Record<string, string>>): Promise<GatewayProcess[]> {
  const settled = await Promise.allSettled(envs.map((env) => startGatewayProcess(env)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((p) => stopGatewayProcess(p)));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return started;
}

/** SIGTERM (the gateway drains and exits 0), SIGKILL if it is still there after a grace period. Safe on undefined. */
export async function stopGatewayProcess(gateway: GatewayProcess | undefined): Promise<void> {
  if (!gateway) return;
  const { child } = gateway;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  child.kill('SIGTERM');
  await gateway.exited;
  clearTimeout(killer);
}

/** Resident set size of a live process in bytes, from `/proc/<pid>/status` (VmRSS, in kB). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Log lines of one logger: those written under `logName: 'audit'`, i.e. the audit records. */
export function auditRecords(logs: ReadonlyArray<Record<string, unknown>>): Array<Record<string, unknown>> {
  return logs.filter((line) => line.logName === 'audit' && typeof line.audit === 'object' && line.audit !== null).map((line) => line.audit as Record<string, unknown>);
}

/**
 * NODE_OPTIONS that preload `gc-on-signal.js` into a gateway process (memory tests only): on SIGUSR2 it
 * runs a full garbage collection and reports what is still in use.
 */
export const GC_HOOK_NODE_OPTIONS = `--expose-gc --require ${join(__dirname, 'gc-on-signal.js')}`;

/** What a gateway process still holds after a full garbage collection, in bytes. */
export interface HeapInUse {
  /** The JS heap. */
  heapUsed: number;
  /** Memory of ArrayBuffers and Buffers (outside the JS heap). */
  arrayBuffers: number;
}

/** Asks a gateway process started with {@link GC_HOOK_NODE_OPTIONS} for a full GC and reads what it still holds. */
export function heapAfterGc(target: GatewayProcess): Promise<HeapInUse> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      target.child.stderr?.off('data', listener);
      reject(new Error('the gateway process did not answer the GC signal'));
    }, 10_000);
    const listener = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const match = /gc-on-signal (\{.*\})\n/.exec(buffered);
      if (!match) return;
      clearTimeout(timer);
      target.child.stderr?.off('data', listener);
      resolve(JSON.parse(match[1]!) as HeapInUse);
    };
    target.child.stderr?.on('data', listener);
    target.child.kill('SIGUSR2');
  });
}
