/** Reading the Prometheus text exposition in tests: scrape a Telemetry without HTTP, parse series. */
import type { Request, Response } from 'express';
import type { Telemetry } from '../../service/telemetry/types';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Calls the `/metrics` handler with a stand-in response and returns the body. */
export function scrape(telemetry: Telemetry): Promise<string> {
  return new Promise((resolve) => {
    const res = {
      statusCode: 200,
      setHeader: () => undefined,
      end: (body: string) => resolve(body),
    };
    void telemetry.metricsHandler({ url: '/metrics', headers: {} } as Request, res as unknown as Response, () => undefined);
  });
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses sample lines (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The `# TYPE` lines: family name → type. */
export function familyTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(name!, type!);
  return types;
}

/** Samples of one series name whose labels include `where`. */
export function samplesOf(samples: Sample[], name: string, where: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
}
