/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function + file, inclusive time of
 * the project's own functions (`service/`), and self time by area (service file, npm package, Node
 * internals, GC, idle).
 *
 *   node --require ./test/bench/ts-hook.js test/bench/cpuprofile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Row {
  name: string;
  where: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle: what the process spent working. */
  busyMs: number;
  self: Row[];
  inclusiveService: Row[];
  areas: Row[];
}

const ROOT = relative('/', `${__dirname}/../..`);

function where(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const at = path.indexOf(`/${ROOT}/`);
  const local = at >= 0 ? path.slice(at + ROOT.length + 2) : path;
  return local;
}

function area(frame: CallFrame): string {
  const name = frame.functionName;
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)' || name === '(root)') return name;
  const file = where(frame.url);
  if (!file) return '(native / V8 builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `npm ${pkg[1]}`;
  if (file.startsWith('node:')) return 'node internals';
  if (file.startsWith('service/')) return file;
  return file;
}

export function summarise(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const key = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'}\t${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  // timeDeltas[i] is the time between sample i-1 and sample i; it is charged to sample i.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || us <= 0) continue;
    total += us;
    if (node.callFrame.functionName === '(idle)') idle += us;
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + us);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!where(frame.url).startsWith('service/')) continue;
      const fk = key(frame);
      if (seen.has(fk)) continue;
      seen.add(fk);
      inclusive.set(fk, (inclusive.get(fk) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const rows = (map: Map<string, number>, n: number): Row[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => {
        const [name, file] = k.split('\t');
        return { name: name!, where: file ?? '', ms: us / 1000, share: busy > 0 ? us / busy : 0 };
      });
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    self: rows(self, top),
    inclusiveService: rows(inclusive, top),
    areas: rows(areas, top).map((r) => ({ ...r, name: r.name, where: '' })),
  };
}

/**
 * Where a function's self time comes from: its immediate callers, and the nearest `service/` function on the
 * stack (what to change when the hot spot is in Node or a library).
 */
export function callersOf(profile: CpuProfile, functionName: string, top = 15): { callers: Row[]; serviceFrames: Row[]; totalMs: number } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const label = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'}\t${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  const callers = new Map<string, number>();
  const service = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || us <= 0 || node.callFrame.functionName !== functionName) continue;
    total += us;
    const up = parent.get(node.id);
    const caller = up === undefined ? '(none)\t' : label(byId.get(up)!.callFrame);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
    let nearest = '(no service/ frame)\t';
    for (let id = up; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (where(frame.url).startsWith('service/')) {
        nearest = label(frame);
        break;
      }
    }
    service.set(nearest, (service.get(nearest) ?? 0) + us);
  }
  const rows = (map: Map<string, number>): Row[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => {
        const [name, file] = k.split('\t');
        return { name: name!, where: file ?? '', ms: us / 1000, share: total > 0 ? us / total : 0 };
      });
  return { callers: rows(callers), serviceFrames: rows(service), totalMs: total / 1000 };
}

/** `requests`: how many requests the profiled process served, to show time per request too. */
export function formatSummary(summary: ProfileSummary, requests?: number): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  const ms = (x: number): string => x.toFixed(0).padStart(7);
  const perRequest = (x: number): string => (requests ? `${((x * 1000) / requests).toFixed(1).padStart(7)} µs/req ` : '');
  const row = (r: Row): string => `${ms(r.ms)} ms ${perRequest(r.ms)}${pct(r.share)}  ${r.name}  ${r.where}`.trimEnd();
  const lines = [
    `profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy${requests ? ` over ${requests} requests (${((summary.busyMs * 1000) / requests).toFixed(0)} µs busy per request)` : ''}; shares are of busy time`,
    '',
    'self time by function:',
  ];
  for (const r of summary.self) lines.push(row(r));
  lines.push('', 'inclusive time of service/ functions:');
  for (const r of summary.inclusiveService) lines.push(row(r));
  lines.push('', 'self time by area:');
  for (const r of summary.areas) lines.push(row(r));
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const callersAt = args.indexOf('--callers');
  const callersOfName = callersAt >= 0 ? args.splice(callersAt, 2)[1] : undefined;
  const [file, top] = args;
  if (!file) {
    process.stderr.write('usage: cpuprofile-summary.ts <file.cpuprofile> [top] [--callers <functionName>]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (callersOfName !== undefined) {
    const found = callersOf(profile, callersOfName, Number(top ?? 15));
    const show = (r: Row): string => `${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}  ${r.where}`;
    process.stdout.write(
      [`${callersOfName}: ${found.totalMs.toFixed(0)} ms self`, '', 'immediate callers:', ...found.callers.map(show), '', 'nearest service/ frame:', ...found.serviceFrames.map(show), ''].join('\n'),
    );
  } else {
    process.stdout.write(`${formatSummary(summarise(profile, Number(top ?? 25)))}\n`);
  }
}
