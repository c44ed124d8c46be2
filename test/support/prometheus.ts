/**
 * A real `prometheus` server for end-to-end alert tests and game days: started on 127.0.0.1 with a free
 * port, a temporary config that scrapes the given targets every second, the given rule files evaluated
 * every second, and its TSDB in a temporary directory that `stop()` removes.
 *
 * Rules are loaded only once every target has been scraped (written, then a SIGHUP reload): Prometheus
 * pushes new targets to its scrapers at most every 5 s, and with test-scaled `for` periods an
 * `absent(up)` rule would otherwise fire during that start-up gap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../../alerts/yaml';
import { freePort } from './host';

export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt: string;
  value: string;
}

export interface PrometheusOptions {
  /** `host:port` of each scrape target. */
  targets: string[];
  /** The scrape job name (the `job` label the rules select on). */
  job: string;
  /** Rule files by name (`x.rules.yaml` → content). */
  ruleFiles: Record<string, string>;
  scrapeIntervalSeconds?: number;
  evaluationIntervalSeconds?: number;
  /** The binary; default `prometheus` from PATH. */
  binary?: string;
}

export interface RunningPrometheus {
  url: string;
  /** Its stderr so far (Prometheus logs there). */
  logs(): string;
  alerts(): Promise<PrometheusAlert[]>;
  /** Instant query; the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Health of each scrape target (`up`, `down`, `unknown`). */
  targetHealth(): Promise<string[]>;
  /** Every loaded rule with its evaluation health (`ok`, `err`, `unknown`) and last error. */
  rules(): Promise<Array<{ name: string; type: 'alerting' | 'recording'; health: string; lastError?: string }>>;
  /** Polls `check` every `intervalMs` until it returns a value other than undefined, or throws on timeout. */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs?: number): Promise<T>;
  stop(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
    await sleep(intervalMs);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-prometheus-'));
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    toYaml({
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: `${options.evaluationIntervalSeconds ?? 1}s` },
      rule_files: [join(rulesDir, '*')],
      scrape_configs: [{ job_name: options.job, metrics_path: '/metrics', static_configs: [{ targets: options.targets }] }],
    }),
  );

  let stderr = '';
  let child: ChildProcess | undefined;
  let url = '';
  // The port is free when picked and taken a moment later; if another process wins the race, pick again.
  for (let attempt = 0; attempt < 3 && !url; attempt++) {
    const port = await freePort();
    const candidate = spawn(
      options.binary ?? 'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    candidate.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const spawnError = new Promise<Error>((resolve) => candidate.once('error', resolve));
    const ready = waitFor(
      'Prometheus to be ready',
      async () => {
        if (candidate.exitCode !== null) throw new Error(`prometheus exited with ${candidate.exitCode}: ${stderr}`);
        const response = await fetch(`http://127.0.0.1:${port}/-/ready`);
        return response.ok ? true : undefined;
      },
      15_000,
      100,
    );
    const outcome = await Promise.race([ready.then(() => 'ready' as const), spawnError]).catch((error: unknown) => error as Error);
    if (outcome === 'ready') {
      child = candidate;
      url = `http://127.0.0.1:${port}`;
    } else {
      candidate.kill('SIGKILL');
      await exited(candidate);
      if (!/address already in use/.test(stderr) || attempt === 2) {
        rmSync(dir, { recursive: true, force: true });
        throw outcome instanceof Error ? outcome : new Error(String(outcome));
      }
    }
  }
  const running = child!;

  const get = <T>(path: string): Promise<T> => getJson<T>(`${url}${path}`);
  const targetHealth = async (): Promise<string[]> => (await get<{ data: { activeTargets: Array<{ health: string }> } }>('/api/v1/targets')).data.activeTargets.map((t) => t.health);
  try {
    await waitFor('every target to be scraped', async () => ((await targetHealth()).filter((h) => h === 'up').length === options.targets.length ? true : undefined), 20_000, 100);
    for (const [name, content] of Object.entries(options.ruleFiles)) writeFileSync(join(rulesDir, name), content);
    running.kill('SIGHUP');
    const expected = Object.keys(options.ruleFiles).length > 0;
    await waitFor('the rules to load', async () => ((await get<{ data: { groups: unknown[] } }>('/api/v1/rules')).data.groups.length > 0 || !expected ? true : undefined), 10_000, 100);
  } catch (error) {
    running.kill('SIGKILL');
    await exited(running);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }

  return {
    url,
    logs: () => stderr,
    alerts: async () => (await getJson<{ data: { alerts: PrometheusAlert[] } }>(`${url}/api/v1/alerts`)).data.alerts,
    query: async (expr) => (await getJson<{ data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).data.result,
    rules: async () =>
      (await getJson<{ data: { groups: Array<{ rules: Array<{ name: string; type: 'alerting' | 'recording'; health: string; lastError?: string }> }> } }>(`${url}/api/v1/rules`)).data.groups.flatMap((g) =>
        g.rules.map(({ name, type, health, lastError }) => ({ name, type, health, ...(lastError ? { lastError } : {}) })),
      ),
    targetHealth,
    waitFor,
    stop: async () => {
      if (running.exitCode === null && running.signalCode === null) {
        running.kill('SIGTERM');
        const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
        await exited(running);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
