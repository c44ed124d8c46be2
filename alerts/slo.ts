/**
 * Service-level objectives and the multi-window, multi-burn-rate table, as data shared by the alert rules
 * and the dashboards (`reference/observability.md` §0 item 3, §3.1; numbers as in slok/sloth's
 * `google-30d.yaml` and kubernetes-mixin's `SLOs.apiserver.windows`).
 *
 * burn factor = budget fraction spent × SLO period / long window; an alert fires when BOTH its long and its
 * short window burn faster than `factor × (1 − objective)`.
 */
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '../service/telemetry/semconv';
import { API_ROUTE_PATTERN } from '../service/telemetry/route-template';
import { HTTP_DURATION_BUCKETS, METRICS, promBucket, promCount, promLabel, promLe } from '../service/telemetry/metrics-catalogue';
import { seconds, type Duration } from './durations';
import { selector, type Matcher } from './promql';

export type Severity = 'critical' | 'warning' | 'info';

export interface BurnWindow {
  severity: Severity;
  long: Duration;
  short: Duration;
  /** The share of the period's error budget spent when this window fires. */
  budgetSpent: number;
  for: Duration;
}

/** The SLO period every objective is measured over, unless an environment states its own. */
export const SLO_PERIOD: Duration = '30d';
export const SLO_PERIOD_DAYS = seconds(SLO_PERIOD) / 86_400;

export const BURN_WINDOWS: readonly BurnWindow[] = [
  { severity: 'critical', long: '1h', short: '5m', budgetSpent: 0.02, for: '2m' },
  { severity: 'critical', long: '6h', short: '30m', budgetSpent: 0.05, for: '15m' },
  { severity: 'warning', long: '1d', short: '2h', budgetSpent: 0.1, for: '1h' },
  { severity: 'warning', long: '3d', short: '6h', budgetSpent: 0.1, for: '3h' },
];

/** How many times faster than exactly on budget a window burns when it fires: budget spent × period ÷ window (14.4 for 1h of 30d). */
export function burnFactor(window: BurnWindow, periodDays: number = SLO_PERIOD_DAYS): number {
  return Number(((window.budgetSpent * periodDays * 86_400) / seconds(window.long)).toPrecision(4));
}

/** Every window an SLI is evaluated over (recording rules exist for each). */
export const SLI_WINDOWS: readonly Duration[] = [...new Set(BURN_WINDOWS.flatMap((w) => [w.short, w.long]))].sort((a, b) => seconds(a) - seconds(b));

export type SloId = 'availability' | 'latency';

/** How an SLI query gets its series selector and its range text (scaled for tests, `[5m]` or `[1h]`). */
export interface SliContext {
  /** Matcher text that selects the gateway's own series, e.g. `job="gemini-gateway"` (may be empty). */
  job: string;
  range(window: Duration): string;
}

export interface Slo {
  id: SloId;
  /** Human name used in alert text. */
  title: string;
  /** Target fraction of good events, e.g. 0.999. */
  objective: number;
  /** What counts as a bad event, for runbooks and dashboards. */
  badEvents: string;
  /** The bad-event ratio over `window`, aggregated `by (job)`. */
  errorRatio(q: SliContext, window: Duration): string;
  /** The recording rule holding `errorRatio` for `window`. */
  recordName(window: Duration): string;
}

/** The error budget (1 − objective), rounded so that 0.999 gives 0.001 and not 0.0010000000000000009. */
export function errorBudget(slo: Pick<Slo, 'objective'>): number {
  return Number((1 - slo.objective).toPrecision(6));
}

const HTTP_COUNT = promCount(METRICS.httpServerDuration);
const HTTP_BUCKET = promBucket(METRICS.httpServerDuration);
const ROUTE = promLabel(ATTR_HTTP_ROUTE);
const STATUS = promLabel(ATTR_HTTP_RESPONSE_STATUS_CODE);

/** Only the Gemini API surface counts (route templates start with an API version); probes do not. */
export const API_ROUTES: Matcher = [ROUTE, '=~', API_ROUTE_PATTERN];
const SERVER_ERRORS: Matcher = [STATUS, '=~', '5..'];
const NOT_SERVER_ERRORS: Matcher = [STATUS, '!~', '5..'];
/**
 * Streams last as long as the model generates; the latency objective covers unary calls only. OpenAI chat
 * completions stream (`stream: true`) on the same route as they answer whole, so that route is left out.
 */
const STREAMING_ROUTE_PATTERN = '.*:streamGenerateContent|.*/chat/completions';
const NOT_STREAMING: Matcher = [ROUTE, '!~', STREAMING_ROUTE_PATTERN];

/** The latency objective's threshold; it must be one of the HTTP histogram's bucket boundaries. */
export const LATENCY_THRESHOLD_SECONDS = 20;

export const SLOS: Record<SloId, Slo> = {
  availability: {
    id: 'availability',
    title: 'availability',
    objective: 0.999,
    badEvents: 'Gemini API requests answered with a 5xx status (4xx answers, including 429, are not the gateway failing)',
    // `or 0 * total`: before the first 5xx there is no error series at all, and the ratio should read 0, not
    // "no data" (dashboards would show an empty SLO panel for a perfectly healthy gateway).
    errorRatio: (q, w) => {
      const total = `sum by (job) (rate(${HTTP_COUNT}${selector(q.job, API_ROUTES)}[${q.range(w)}]))`;
      return `(\nsum by (job) (rate(${HTTP_COUNT}${selector(q.job, API_ROUTES, SERVER_ERRORS)}[${q.range(w)}]))\nor 0 * ${total}\n)\n/\n${total}`;
    },
    recordName: (w) => `job:gateway_api_errors:ratio_rate${w}`,
  },
  latency: {
    id: 'latency',
    title: 'latency',
    objective: 0.99,
    badEvents: `successful unary Gemini API requests that took longer than ${LATENCY_THRESHOLD_SECONDS}s`,
    errorRatio: (q, w) =>
      `1 - (\nsum by (job) (rate(${HTTP_BUCKET}${selector(q.job, API_ROUTES, NOT_STREAMING, NOT_SERVER_ERRORS, ['le', '=', promLe(LATENCY_THRESHOLD_SECONDS)])}[${q.range(w)}]))\n` +
      `/\nsum by (job) (rate(${HTTP_COUNT}${selector(q.job, API_ROUTES, NOT_STREAMING, NOT_SERVER_ERRORS)}[${q.range(w)}]))\n)`,
    recordName: (w) => `job:gateway_api_slow_requests:ratio_rate${w}`,
  },
};

/** Fails loudly when the latency threshold is not a bucket boundary (a `le` that never exists reads as 0). */
export function assertLatencyThresholdIsABucket(): void {
  if (!(HTTP_DURATION_BUCKETS as readonly number[]).includes(LATENCY_THRESHOLD_SECONDS)) {
    throw new Error(`LATENCY_THRESHOLD_SECONDS ${LATENCY_THRESHOLD_SECONDS} is not a bucket boundary of ${METRICS.httpServerDuration.name}`);
  }
}

/** What an environment's SLO states: the availability objective and the period it is measured over. */
export interface SloTargets {
  availabilityObjective: number;
  periodDays: number;
}

/** The repository's own SLO: what the rendered Prometheus rules and the dashboards assume. */
export const DEFAULT_SLO_TARGETS: SloTargets = { availabilityObjective: SLOS.availability.objective, periodDays: SLO_PERIOD_DAYS };
