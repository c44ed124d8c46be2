/**
 * The alert definition every output is rendered from (Prometheus rule file, Cloud Monitoring alert policies,
 * promtool tests, runbook links). A rule is data plus one PromQL builder; windows and `for` are durations,
 * never text inside PromQL, so they can be scaled for tests.
 */
import { scaleDuration, type Duration } from './durations';
import { DEFAULT_SLO_TARGETS, SLOS, type Severity, type SliContext, type SloId, type SloTargets } from './slo';

export type { Severity } from './slo';

/** Alert names are CamelCase with a component prefix: `Gateway…` for the gateway, `Gemini…` for upstream. */
export type AlertName = `Gateway${string}` | `Gemini${string}`;

export const RULE_GROUPS = ['gemini-gateway-slo', 'gemini-gateway-upstream', 'gemini-gateway-policy', 'gemini-gateway-runtime'] as const;
export type RuleGroup = (typeof RULE_GROUPS)[number];

/** The recording-rule group holding the SLI ratios (Prometheus only; Cloud Monitoring inlines them). */
export const SLO_RECORDING_GROUP = 'gemini-gateway-slo-recording';

/** What an alert expression is built from. */
export interface AlertQueryContext extends SliContext {
  /** The SLI ratio: a recording-rule name in Prometheus, the inline expression in Cloud Monitoring. */
  sli(slo: SloId, window: Duration): string;
}

export interface AlertRule {
  name: AlertName;
  group: RuleGroup;
  expr(q: AlertQueryContext): string;
  for: Duration;
  severity: Severity;
  /** Extra static labels; several rules may share a name when these tell them apart (burn windows). */
  labels?: Readonly<Record<string, string>>;
  /** One static line. */
  summary: string;
  /** Prometheus text/template (`{{ $labels.job }}`, `{{ $value | humanizePercentage }}`). */
  description: string;
}

export interface AlertRenderOptions {
  /** The `job` label of the gateway's scrape target (Prometheus job, or GMP PodMonitoring name). Default `gemini-gateway`. */
  job?: string;
  /** Where the runbooks are published; `runbook_url` is `<runbookBaseUrl>/<AlertName>.md`. */
  runbookBaseUrl?: string;
  /**
   * Multiplies every range window and every `for` (default 1). Only for end-to-end tests and game days: with
   * `1/60`, `1h` becomes `1m` and `for: 2m` becomes `2s`. Nothing else changes: rule names, labels
   * (`long: 1h`), thresholds and annotations stay those of production.
   */
  timeScale?: number;
  /** The environment's SLO: the burn alerts' thresholds and text follow it. Default: 99.9% over 30 days. */
  slo?: SloTargets;
  /** The gateway may run no instance at all (Cloud Run with no minimum): GatewayDown then ignores an absent target. */
  scalesToZero?: boolean;
}

export const DEFAULT_JOB = 'gemini-gateway';
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/gemini-gateway/gemini-gateway/blob/main/alerts/runbooks';

/** The one pattern every runbook link follows. */
export function runbookUrl(name: AlertName, baseUrl: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${name}.md`;
}

export interface ResolvedRenderOptions {
  job: string;
  runbookBaseUrl: string;
  timeScale: number;
  slo: SloTargets;
  scalesToZero: boolean;
}

export function resolveOptions(options: AlertRenderOptions = {}): ResolvedRenderOptions {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`timeScale must be in (0, 1], got ${timeScale}`);
  const job = options.job ?? DEFAULT_JOB;
  if (!/^[A-Za-z0-9_.:/-]+$/.test(job)) throw new Error(`job must be a plain label value, got ${JSON.stringify(job)}`);
  return { job, runbookBaseUrl: options.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL, timeScale, slo: options.slo ?? DEFAULT_SLO_TARGETS, scalesToZero: options.scalesToZero ?? false };
}

/** `for` as rendered: scaled by `timeScale`. */
export function scaledFor(rule: AlertRule, options: ResolvedRenderOptions): Duration {
  return options.timeScale === 1 ? rule.for : scaleDuration(rule.for, options.timeScale);
}

/** The context for one output: `inlineSli` for Cloud Monitoring (no recording rules there). */
export function queryContext(options: ResolvedRenderOptions, inlineSli: boolean): AlertQueryContext {
  const q: AlertQueryContext = {
    job: `job=${JSON.stringify(options.job)}`,
    range: (window) => (options.timeScale === 1 ? window : scaleDuration(window, options.timeScale)),
    sli: (slo, window) => (inlineSli ? `(\n${SLOS[slo].errorRatio(q, window)}\n)` : SLOS[slo].recordName(window)),
  };
  return q;
}
