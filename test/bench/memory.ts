/**
 * Peak memory of a gateway process holding many slow streams at once: N streaming requests (distinct
 * prompts, so none is coalesced or cached) against an upstream that paces its chunks slowly, the gateway's
 * resident set sampled from /proc while they are open. A stream counts as held from its first byte until
 * its end; the peak that matters is the one reached while all N were held together.
 *
 * The peak is mostly what the N requests' arrival leaves behind and how far V8 lets its heap grow, not
 * what a stream keeps. So the same N are held a second time, and the process is asked for a full garbage
 * collection with none open and with all N open: the difference is what each held stream keeps alive
 * (JS heap and Buffers). That pass comes second because its collection would lower the peak.
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
  /** From the second pass: what the process holds after a full GC, idle and with every stream open. */
  live?: LiveMemory;
}

/** What a process holds after a full garbage collection, in bytes. */
export interface HeldAfterGc {
  heapUsed: number;
  arrayBuffers: number;
}

export interface LiveMemory {
  idle: HeldAfterGc;
  held: HeldAfterGc;
  /** (held − idle), heap and Buffers together, divided by the streams held. */
  perStreamKb: number;
}

/** The second pass: the same streams held again, with a full GC idle and once all are open (`measure` does both). */
export async function liveMemory(gatewayUrl: string, pid: number, headers: Record<string, string>, streams: number, body: () => string, deadlineMs: number, measure: () => Promise<HeldAfterGc>): Promise<LiveMemory | undefined> {
  const idle = await measure();
  let held: HeldAfterGc | undefined;
  const result = await holdStreams(gatewayUrl, pid, headers, streams, body, deadlineMs, async (stillAllHeld) => {
    const measured = await measure().catch(() => undefined);
    // A stream that ended meanwhile was not in the measure.
    if (stillAllHeld()) held = measured;
  });
  if (!held || result.maxHeld !== streams) return undefined;
  const grown = held.heapUsed + held.arrayBuffers - idle.heapUsed - idle.arrayBuffers;
  return { idle, held, perStreamKb: grown / 1024 / streams };
}

const MB = 1024 * 1024;

/**
 * `whileAllHeld` runs once every stream is open, told whether they still all are; the result is returned
 * once it has finished.
 */
export async function holdStreams(
  gatewayUrl: string,
  pid: number,
  headers: Record<string, string>,
  streams: number,
  body: () => string,
  deadlineMs: number,
  whileAllHeld?: (stillAllHeld: () => boolean) => Promise<void>,
): Promise<MemoryResult> {
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
  let allHeld: Promise<void> | undefined;

  const one = async (): Promise<void> => {
    let open = false;
    try {
      const reply = await pool.request({ method: 'POST', path: callPath(true), headers: { 'content-type': 'application/json', ...headers }, body: body(), signal: controller.signal });
      for await (const _chunk of reply.body) {
        if (!open) {
          open = true;
          held++;
          if (held > maxHeld) maxHeld = held;
          if (held === streams) {
            allHeldAt = Date.now();
            allHeld = whileAllHeld?.(() => held === streams);
          }
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
  await allHeld;
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
