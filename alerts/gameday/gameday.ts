/**
 * `npm run gameday -- <scenario> [--scale 60] [--minutes 5] [--warmup 20]`: a rehearsal for SREs. Starts
 * a gateway on the local Gemini emulator, a real Prometheus scraping it every second with the rendered
 * alert rules (time compressed: `--scale 60` makes an hour of alert windows last a minute), drives steady
 * traffic, injects the scenario's fault into the emulator after a healthy warm-up, and prints every alert
 * as it goes pending, fires and resolves, with its runbook. Stops when the scenario's expected alert has
 * fired and the fault has been cleared for a while, or after `--minutes`.
 */
import { join } from 'node:path';
import type { FaultRule } from '../../service/emulator/faults';
import { createTelemetry } from '../../service/telemetry/create';
import { LATENCY_THRESHOLD_SECONDS } from '../slo';
import { runbookUrl, type AlertName } from '../ir';
import { prometheusRuleFiles } from '../render-prometheus';
import { startTestGateway } from '../../test/support/gateway';
import { startPrometheus, type PrometheusAlert } from '../../test/support/prometheus';
import { driveTraffic } from '../../test/support/traffic';

interface Scenario {
  description: string;
  faults: FaultRule[];
  expect: AlertName;
  /** Gateway settings the scenario needs (by environment name). */
  env?: Record<string, string>;
  /** Traffic workers; slow scenarios need more to keep completions flowing. Default 6. */
  concurrency?: number;
}

const SCENARIOS: Record<string, Scenario> = {
  '503-storm': {
    description: 'Gemini answers every call with 503 UNAVAILABLE.',
    faults: [{ kind: 'status', status: 503, probability: 1 }],
    expect: 'GatewayAvailabilityBudgetBurn',
  },
  '429-storm': {
    description: 'Gemini answers every call with 429 RESOURCE_EXHAUSTED (quota), RetryInfo 1s.',
    faults: [{ kind: 'status', status: 429, probability: 1, retryDelaySeconds: 1 }],
    expect: 'GeminiQuotaExhausted',
  },
  'latency-spike': {
    description: `Gemini takes ${LATENCY_THRESHOLD_SECONDS + 5}s before its first byte, on every call.`,
    faults: [{ kind: 'latency', latencyMs: (LATENCY_THRESHOLD_SECONDS + 5) * 1000, probability: 1 }],
    expect: 'GatewayLatencyBudgetBurn',
    env: { GATEWAY_UPSTREAM_TIMEOUT_MS: '120000' },
    concurrency: 40,
  },
};

const JOB = 'gemini-gateway';

function usage(): never {
  process.stderr.write(
    `usage: npm run gameday -- <scenario> [--scale N] [--minutes N] [--warmup SECONDS]\n\nscenarios:\n${Object.entries(SCENARIOS)
      .map(([name, s]) => `  ${name.padEnd(14)} ${s.description} Expect: ${s.expect}.`)
      .join('\n')}\n`,
  );
  process.exit(2);
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!(value > 0)) usage();
  return value;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describeAlert(alert: PrometheusAlert): string {
  const { alertname, severity, ...rest } = alert.labels;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${alertname ?? '?'} [${severity ?? '?'}] ${labels}`.trim();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  const scenario = name ? SCENARIOS[name] : undefined;
  if (!name || !scenario) usage();
  const scale = option(args, 'scale', 60);
  const minutes = option(args, 'minutes', 5);
  const warmupSeconds = option(args, 'warmup', 20);

  const telemetry = createTelemetry({ serviceName: 'gemini-gateway', serviceVersion: 'gameday', tracesExporter: 'none', sampleRatio: 0 });
  const gateway = await startTestGateway(scenario.env ?? {}, { telemetry });
  const prometheus = await startPrometheus({ targets: [new URL(gateway.url).host], job: JOB, ruleFiles: prometheusRuleFiles({ job: JOB, timeScale: 1 / scale }) });
  const traffic = driveTraffic(gateway.url, { concurrency: scenario.concurrency ?? 6 });
  const started = Date.now();
  const clock = (): string => `t+${String(Math.round((Date.now() - started) / 1000)).padStart(4)}s`;

  say(`Game day: ${name} (${scenario.description})`);
  say(`  gateway     ${gateway.url}  (emulator upstream)`);
  say(`  prometheus  ${prometheus.url}/alerts  (open it while this runs)`);
  say(`  time scale  1/${scale}: a 1h alert window lasts ${Math.round(3600 / scale)}s, "for: 2m" lasts ${Math.round(120 / scale)}s`);
  say(`  expecting   ${scenario.expect}  runbook: alerts/runbooks/${scenario.expect}.md`);
  say('');

  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    stopping = true;
    await traffic.stop();
    await prometheus.stop();
    await gateway.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(130));

  const states = new Map<string, string>();
  const firedAt = new Map<string, number>();
  let faultAt: number | undefined;
  let clearedAt: number | undefined;
  const deadline = started + minutes * 60_000;

  while (!stopping && Date.now() < deadline) {
    if (faultAt === undefined && Date.now() - started >= warmupSeconds * 1000) {
      gateway.emulator?.faults.set(scenario.faults);
      faultAt = Date.now();
      say(`${clock()}  FAULT     ${scenario.description}`);
    }
    const alerts = await prometheus.alerts().catch(() => []);
    const seen = new Set<string>();
    for (const alert of alerts) {
      const key = describeAlert(alert);
      seen.add(key);
      if (states.get(key) === alert.state) continue;
      states.set(key, alert.state);
      const name = alert.labels.alertname as AlertName;
      if (alert.state === 'firing') {
        firedAt.set(name, firedAt.get(name) ?? Date.now());
        say(`${clock()}  FIRING    ${key}\n             ${alert.annotations.summary ?? ''}\n             ${alert.annotations.description ?? ''}\n             runbook: ${join('alerts', 'runbooks', `${name}.md`)}  (${runbookUrl(name)})`);
      } else {
        say(`${clock()}  ${alert.state.toUpperCase().padEnd(9)} ${key}`);
      }
    }
    for (const key of [...states.keys()]) {
      if (!seen.has(key)) {
        say(`${clock()}  RESOLVED  ${key}`);
        states.delete(key);
      }
    }
    if (clearedAt === undefined && firedAt.has(scenario.expect)) {
      gateway.emulator?.faults.clear();
      clearedAt = Date.now();
      say(`${clock()}  CLEARED   the fault; watching recovery for ${Math.round(300 / scale) + 10}s`);
    }
    if (clearedAt !== undefined && Date.now() - clearedAt > (300 / scale + 10) * 1000) break;
    await sleep(1000);
  }

  say('');
  const statuses = traffic.statuses();
  say(`Traffic: ${Object.entries(statuses).map(([status, count]) => `${count} × ${status === '0' ? 'no answer' : status}`).join(', ')}`);
  const fired = firedAt.get(scenario.expect);
  if (fired !== undefined && faultAt !== undefined) {
    say(`Result: ${scenario.expect} fired ${Math.round((fired - faultAt) / 1000)}s after the fault (≈ ${Math.round(((fired - faultAt) / 1000) * scale / 60)} min at production time).`);
  } else {
    say(`Result: ${scenario.expect} did NOT fire within ${minutes} min. Check ${prometheus.url}/alerts and the rules' health.`);
  }
  await stop(fired !== undefined ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`game day failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
