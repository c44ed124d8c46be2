/**
 * Every alert the gateway ships, in kubernetes-mixin style: CamelCase names with a component prefix, a
 * closed severity set (critical pages, warning tickets, info notifies), a static summary and a templated
 * description. Thresholds are data in {@link THRESHOLDS}, shared with the dashboards. Runbooks are
 * `alerts/runbooks/<name>.md`; the URL is added by the renderers from one pattern.
 */
import { ATTR_ERROR_TYPE, GATEWAY_ATTRIBUTES as G, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL } from '../service/telemetry/semconv';
import { BREAKER_STATE_VALUES, METRICS, UPSTREAM_QUOTA_ERROR_TYPE, promCount, promLabel, promName, promTotal } from '../service/telemetry/metrics-catalogue';
import { resolveOptions, type AlertName, type AlertQueryContext, type AlertRule, type ResolvedRenderOptions } from './ir';
import { selector } from './promql';
import { BURN_WINDOWS, LATENCY_THRESHOLD_SECONDS, SLOS, burnFactor, errorBudget, type BurnWindow, type Slo, type SloTargets } from './slo';

/** Alert thresholds, as data (the dashboards draw the same lines). */
export const THRESHOLDS = {
  /** Share of upstream attempts answered 429 (quota exhausted). */
  quotaShare: 0.05,
  /** Fallbacks per Gemini API request. */
  fallbackShare: 0.1,
  /** The cache hit ratio collapsed when it falls below this fraction of its 6h baseline… */
  cacheCollapseFraction: 0.5,
  /** …provided the baseline was worth having. */
  cacheBaselineMin: 0.1,
  /** Cache lookups per second below which the hit ratio is noise. */
  cacheMinLookupRate: 0.1,
  /** A caller's budget is nearly spent at this spent/limit ratio. */
  budgetRatio: 0.9,
  /** Spend per hour above this multiple of the 1-day average is an anomaly… */
  costAnomalyFactor: 3,
  /** …when it is also above this many US dollars per hour. */
  costMinUsdPerHour: 1,
  /** Event-loop delay p99 (seconds, averaged over 5m) that means the process is saturated. */
  eventLoopP99Seconds: 0.25,
  /** Failed key reloads without a success, in 15 minutes. */
  keyReloadWindow: '15m',
} as const;

const L = promLabel;
const MODEL = L(ATTR_GEN_AI_REQUEST_MODEL);
const PROVIDER = L(ATTR_GEN_AI_PROVIDER_NAME);
const GEN_AI_COUNT = promCount(METRICS.genAiOperationDuration);

function burnRule(slo: Slo, name: AlertName, window: BurnWindow, periodDays: number, description: string): AlertRule {
  const threshold = `(${burnFactor(window, periodDays)} * ${errorBudget(slo)})`;
  return {
    name,
    group: 'gemini-gateway-slo',
    expr: (q) => `${q.sli(slo.id, window.long)} > ${threshold}\nand\n${q.sli(slo.id, window.short)} > ${threshold}`,
    for: window.for,
    severity: window.severity,
    labels: { long: window.long, short: window.short },
    summary: `The gateway is burning its ${periodDays}-day ${slo.title} error budget too fast.`,
    description,
  };
}

const pct = (ratio: number): string => `${Number((ratio * 100).toPrecision(4))}%`;

function availabilityBurn(window: BurnWindow, targets: SloTargets): AlertRule {
  const slo: Slo = { ...SLOS.availability, objective: targets.availabilityObjective };
  return burnRule(
    slo,
    'GatewayAvailabilityBudgetBurn',
    window,
    targets.periodDays,
    `{{ $value | humanizePercentage }} of Gemini API requests to {{ $labels.job }} failed with a 5xx over the last ${window.long} ` +
      `(burn rate ${burnFactor(window, targets.periodDays)}x; the ${pct(slo.objective)} SLO allows ${pct(errorBudget(slo))}). ` +
      `At this rate ${pct(window.budgetSpent)} of the ${targets.periodDays}-day error budget is gone within ${window.long}.`,
  );
}

function latencyBurn(window: BurnWindow, targets: SloTargets): AlertRule {
  const slo = SLOS.latency;
  return burnRule(
    slo,
    'GatewayLatencyBudgetBurn',
    window,
    targets.periodDays,
    `{{ $value | humanizePercentage }} of successful unary Gemini API requests to {{ $labels.job }} took longer than ${LATENCY_THRESHOLD_SECONDS}s ` +
      `over the last ${window.long} (burn rate ${burnFactor(window, targets.periodDays)}x; the ${pct(slo.objective)} SLO allows ${pct(errorBudget(slo))}).`,
  );
}

const quotaExhausted: AlertRule = {
  name: 'GeminiQuotaExhausted',
  group: 'gemini-gateway-upstream',
  expr: (q) =>
    `sum by (job, ${MODEL}) (rate(${GEN_AI_COUNT}${selector(q.job, [L(ATTR_ERROR_TYPE), '=', UPSTREAM_QUOTA_ERROR_TYPE])}[${q.range('10m')}]))\n` +
    `/\nsum by (job, ${MODEL}) (rate(${GEN_AI_COUNT}${selector(q.job)}[${q.range('10m')}]))\n> ${THRESHOLDS.quotaShare}`,
  for: '10m',
  severity: 'warning',
  summary: 'Gemini answers a large share of calls with 429: the project quota is exhausted.',
  description:
    `{{ $value | humanizePercentage }} of upstream calls for model {{ $labels.${MODEL} }} from {{ $labels.job }} were rejected with 429 ` +
    `RESOURCE_EXHAUSTED over the last 10 minutes (threshold ${pct(THRESHOLDS.quotaShare)}).`,
};

const breakerOpen: AlertRule = {
  name: 'GatewayCircuitBreakerOpen',
  group: 'gemini-gateway-upstream',
  // max_over_time: an open breaker half-opens to probe and re-opens on failure; count that as still open.
  expr: (q) =>
    `max by (job, ${PROVIDER}, ${MODEL}) (max_over_time(${promName(METRICS.breakerState)}${selector(q.job)}[${q.range('2m')}]))\n>= ${BREAKER_STATE_VALUES.open}`,
  for: '5m',
  severity: 'warning',
  summary: 'A circuit breaker towards Gemini has been open for 5 minutes.',
  description: `The circuit breaker for model {{ $labels.${MODEL} }} on {{ $labels.${PROVIDER} }} ({{ $labels.job }}) keeps opening: requests go to fallback models or fail fast.`,
};

const fallbackRateHigh: AlertRule = {
  name: 'GatewayFallbackRateHigh',
  group: 'gemini-gateway-upstream',
  expr: (q) =>
    `sum by (job) (rate(${promTotal(METRICS.fallbacks)}${selector(q.job)}[${q.range('10m')}]))\n` +
    `/\nsum by (job) (rate(${promTotal(METRICS.requests)}${selector(q.job)}[${q.range('10m')}]))\n> ${THRESHOLDS.fallbackShare}`,
  for: '15m',
  severity: 'warning',
  summary: 'Many requests are served by a fallback model instead of the one asked for.',
  description: `{{ $labels.job }} moved requests to a fallback model {{ $value | humanizePercentage }} as often as it served requests over the last 10 minutes (threshold ${pct(THRESHOLDS.fallbackShare)}).`,
};

function hitRatio(q: AlertQueryContext, window: '30m' | '6h'): string {
  const lookups = promTotal(METRICS.cacheLookups);
  const result = L(G.CACHE_RESULT);
  return (
    `sum by (job) (rate(${lookups}${selector(q.job, [result, '=~', 'hit|coalesced'])}[${q.range(window)}]))\n` +
    `/ sum by (job) (rate(${lookups}${selector(q.job, [result, '!=', 'bypass'])}[${q.range(window)}]))`
  );
}

const cacheHitCollapse: AlertRule = {
  name: 'GatewayCacheHitRateCollapsed',
  group: 'gemini-gateway-policy',
  expr: (q) =>
    `(\n${hitRatio(q, '30m')}\n)\n< ${THRESHOLDS.cacheCollapseFraction} * (\n${hitRatio(q, '6h')}\n)\n` +
    `and (\n${hitRatio(q, '6h')}\n) > ${THRESHOLDS.cacheBaselineMin}\n` +
    `and sum by (job) (rate(${promTotal(METRICS.cacheLookups)}${selector(q.job, [L(G.CACHE_RESULT), '!=', 'bypass'])}[${q.range('30m')}])) > ${THRESHOLDS.cacheMinLookupRate}`,
  for: '30m',
  severity: 'warning',
  summary: 'The response-cache hit ratio fell to less than half of its 6-hour baseline.',
  description: `The cache hit ratio of {{ $labels.job }} is {{ $value | humanizePercentage }} over the last 30 minutes, less than ${pct(THRESHOLDS.cacheCollapseFraction)} of its 6-hour average: more calls reach Gemini and cost more.`,
};

const budgetNearlySpent: AlertRule = {
  name: 'GatewayBudgetNearlySpent',
  group: 'gemini-gateway-policy',
  expr: (q) => `max by (job) (${promName(METRICS.budgetMaxSpentRatio)}${selector(q.job)}) >= ${THRESHOLDS.budgetRatio}`,
  for: '5m',
  severity: 'info',
  summary: 'At least one caller has nearly spent its budget; its requests will be rejected when it runs out.',
  description: `A caller of {{ $labels.job }} has spent {{ $value | humanizePercentage }} of its budget (threshold ${pct(THRESHOLDS.budgetRatio)}). The gateway log names the caller.`,
};

function spendPerHour(q: AlertQueryContext, window: '1h' | '1d', offset?: '1h'): string {
  return `sum by (job) (rate(${promTotal(METRICS.costUsd)}${selector(q.job)}[${q.range(window)}]${offset ? ` offset ${q.range(offset)}` : ''})) * 3600`;
}

const costAnomaly: AlertRule = {
  name: 'GatewayCostAnomaly',
  group: 'gemini-gateway-policy',
  // The baseline is the day before the last hour. The last line requires a sample from 25h ago, i.e. a full
  // baseline: with less history `rate(…[1d])` divides a partial increase by a whole day and understates it.
  expr: (q) =>
    `(${spendPerHour(q, '1h')})\n> ${THRESHOLDS.costAnomalyFactor} * (${spendPerHour(q, '1d', '1h')})\n` +
    `and (${spendPerHour(q, '1h')}) > ${THRESHOLDS.costMinUsdPerHour}\n` +
    `and sum by (job) (${promTotal(METRICS.costUsd)}${selector(q.job)} offset ${q.range('25h')})`,
  for: '30m',
  severity: 'warning',
  summary: 'Gemini spend per hour is far above its daily average.',
  description: `{{ $labels.job }} is spending {{ printf "%.2f" $value }} USD per hour, more than ${THRESHOLDS.costAnomalyFactor}x its average over the previous day.`,
};

const redisUnreachable: AlertRule = {
  name: 'GatewayRedisUnreachable',
  group: 'gemini-gateway-runtime',
  expr: (q) => `${promName(METRICS.stateBackendReachable)}${selector(q.job, [L(G.STATE_BACKEND), '=', 'redis'])} == 0`,
  for: '2m',
  severity: 'warning',
  summary: 'A gateway instance cannot reach Redis and enforces limits and budgets locally.',
  description: `{{ $labels.instance }} ({{ $labels.job }}) has not reached Redis for 2 minutes: rate limits and budgets are per instance until it does (or requests are refused, if the gateway is set to fail closed).`,
};

const keyReloadFailing: AlertRule = {
  name: 'GatewayKeyReloadFailing',
  group: 'gemini-gateway-runtime',
  expr: (q) => {
    const reloads = promTotal(METRICS.keyReloads);
    const outcome = L(G.KEY_RELOAD_OUTCOME);
    const window = q.range(THRESHOLDS.keyReloadWindow);
    return (
      `sum by (job, instance) (increase(${reloads}${selector(q.job, [outcome, '=', 'failed'])}[${window}])) > 0\n` +
      `unless\nsum by (job, instance) (increase(${reloads}${selector(q.job, [outcome, '!=', 'failed'])}[${window}])) > 0`
    );
  },
  for: '10m',
  severity: 'warning',
  summary: 'A gateway instance keeps failing to reload its upstream API key.',
  description: `{{ $labels.instance }} ({{ $labels.job }}) has failed every API-key reload for ${THRESHOLDS.keyReloadWindow}: it keeps using the key it has, which stops working when that key is retired.`,
};

/** `scalesToZero`: no instance at all is normal there, so only a target that is down fires (an uptime check covers the rest). */
const gatewayDown = (scalesToZero: boolean): AlertRule => ({
  name: 'GatewayDown',
  group: 'gemini-gateway-runtime',
  expr: (q) => (scalesToZero ? `up${selector(q.job)} == 0` : `up${selector(q.job)} == 0\nor\nabsent(up${selector(q.job)})`),
  for: '5m',
  severity: 'critical',
  summary: 'Prometheus cannot scrape the gateway.',
  description: `{{ if $labels.instance }}{{ $labels.instance }} of {{ $labels.job }} is down or not answering /metrics{{ else }}No scrape target of {{ $labels.job }} is up{{ end }}.`,
});

const eventLoopSaturated: AlertRule = {
  name: 'GatewayEventLoopSaturated',
  group: 'gemini-gateway-runtime',
  expr: (q) => `avg_over_time(${promName(METRICS.eventLoopDelayP99)}${selector(q.job)}[${q.range('5m')}]) > ${THRESHOLDS.eventLoopP99Seconds}`,
  for: '10m',
  severity: 'warning',
  summary: 'The gateway process is CPU-saturated: its event loop is lagging.',
  description: `The event-loop delay p99 of {{ $labels.instance }} ({{ $labels.job }}) averaged {{ $value | humanizeDuration }} over 5 minutes (threshold ${THRESHOLDS.eventLoopP99Seconds}s): every request on it waits.`,
};

/**
 * Every alert rule, for an environment's SLO and whether it may scale to zero; rules sharing a name differ
 * by their `labels`.
 */
export function alertRules({ slo: targets, scalesToZero }: Pick<ResolvedRenderOptions, 'slo' | 'scalesToZero'>): AlertRule[] {
  return [
    ...BURN_WINDOWS.map((w) => availabilityBurn(w, targets)),
    ...BURN_WINDOWS.map((w) => latencyBurn(w, targets)),
    quotaExhausted,
    breakerOpen,
    fallbackRateHigh,
    cacheHitCollapse,
    budgetNearlySpent,
    costAnomaly,
    redisUnreachable,
    keyReloadFailing,
    gatewayDown(scalesToZero),
    eventLoopSaturated,
  ];
}

/** The rules of the repository's own SLO, with a gateway always running: what the rendered Prometheus rules hold. */
export const ALERT_RULES: readonly AlertRule[] = alertRules(resolveOptions());

/** The distinct alert names, in definition order. */
export const ALERT_NAMES: readonly AlertName[] = [...new Set(ALERT_RULES.map((r) => r.name))];
