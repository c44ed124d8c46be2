/**
 * Peak memory of a gateway process holding many slow streams at once: N streaming requests (distinct
 * prompts, so none is coalesced or cached) against an upstream that paces its chunks slowly, the gateway's
 * resident set sampled from /proc while they are open. A stream counts as held from its first byte until
 * its end; the peak that matters is the one reached while all N were held together.
 */
import { Pool } from 'undici';
import { residentMemory } from './children';
import { callPath } from './load';

export interface MemoryResult {
  streams: number;
  /** Most streams open (first byte received, not ended) at one time. */
  maxHeld: number;
  completed: number;
  failed: number;
  idleRssMb: number;
  peakRssMb: number;
  /** VmHWM at the end: the kernel's own high-water mark for the process (includes start-up). */
  hwmMb: number;
  /** Peak RSS above idle, divided by the streams held. */
  perStreamKb: number;
  heldForMs: number;
}

const MB = 1024 * 1024;

export async function holdStreams(gatewayUrl: string, pid: number, headers: Record<string, string>, streams: number, body: () => string, deadlineMs: number): Promise<MemoryResult> {
  const idle = residentMemory(pid)?.rss ?? NaN;
  const pool = new Pool(gatewayUrl, { connections: streams, pipelining: 1 });
  let peak = idle;
  let held = 0;
  let maxHeld = 0;
  let completed = 0;
  let failed = 0;
  let allHeldAt = 0;
  let allHeldUntil = 0;
  const sampler = setInterval(() => {
    const now = residentMemory(pid);
    if (now && now.rss > peak) peak = now.rss;
  }, 20);
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), deadlineMs);

  const one = async (): Promise<void> => {
    let open = false;
    try {
      const reply = await pool.request({ method: 'POST', path: callPath(true), headers: { 'content-type': 'application/json', ...headers }, body: body(), signal: controller.signal });
      for await (const _chunk of reply.body) {
        if (!open) {
          open = true;
          held++;
          if (held > maxHeld) maxHeld = held;
          if (held === streams) allHeldAt = Date.now();
        }
      }
      if (reply.statusCode === 200) completed++;
      else failed++;
    } catch {
      failed++;
    } finally {
      if (open) {
        if (held === streams) allHeldUntil = Date.now();
        held--;
      }
    }
  };
  await Promise.all(Array.from({ length: streams }, one));
  clearInterval(sampler);
  clearTimeout(deadline);
  const end = residentMemory(pid);
  if (end && end.rss > peak) peak = end.rss;
  await pool.destroy();
  return {
    streams,
    maxHeld,
    completed,
    failed,
    idleRssMb: idle / MB,
    peakRssMb: peak / MB,
    hwmMb: (end?.peak ?? NaN) / MB,
    perStreamKb: maxHeld > 0 ? (peak - idle) / 1024 / maxHeld : NaN,
    heldForMs: allHeldAt > 0 ? allHeldUntil - allHeldAt : 0,
  };
}
