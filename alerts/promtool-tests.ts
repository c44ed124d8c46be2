/**
 * promtool unit tests for every alert, as data: for each rule, one series set that makes it fire and one
 * that must not. The rendered test checks the `for` boundary (pending, so silent, at `activeAt + for − 1m`;
 * firing with exact labels and annotations at `activeAt + for`), where `activeAt` is the first evaluation at
 * which the expression holds. Series are written per minute; the comments derive `activeAt`.
 *
 * Prometheus 2.x facts the derivations use: a range covers both ends (`[t−w, t]`), so on a 1-minute grid a
 * window is fully sampled and `rate` needs no extrapolation once `t ≥ w`; before that `rate` divides the
 * increase seen by the whole window, which cancels out in ratios. Alert templates see the labels of the
 * expression's result only, not the rule's static labels.
 */
import { formatSeconds, seconds, type Duration } from './durations';
import { ALERT_RULES, THRESHOLDS } from './definitions';
import { RULE_GROUPS, SLO_RECORDING_GROUP, runbookUrl, type AlertName, type AlertRule, type RuleGroup } from './ir';
import { ruleFileName } from './render-prometheus';
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, GATEWAY_ATTRIBUTES as G } from '../service/telemetry/semconv';
import { METRICS, UPSTREAM_QUOTA_ERROR_TYPE, promBucket, promCount, promLabel as L, promLe, promName, promTotal } from '../service/telemetry/metrics-catalogue';
import { BURN_WINDOWS, LATENCY_THRESHOLD_SECONDS, burnFactor } from './slo';
import { toYaml } from './yaml';

export interface InputSeries {
  series: string;
  values: string;
}

export interface AlertTestCase {
  alert: AlertName;
  /** The static labels that pick one rule when several share the name (burn windows). */
  rule?: Record<string, string>;
  fires: {
    title: string;
    series: InputSeries[];
    /** First evaluation at which the expression holds. */
    activeAt: Duration;
    /** Labels of the firing alert beyond the rule's static ones. */
    labels: Record<string, string>;
    /** The description, templated. */
    description: string;
  };
  quiet: {
    title: string;
    series: InputSeries[];
    /** Checked silent at the firing case's boundary and at this time. */
    until: Duration;
  };
}

export const TEST_JOB = 'gemini-gateway';
export const TEST_INSTANCE = 'gateway-0:8080';
const TARGET = { job: TEST_JOB, instance: TEST_INSTANCE };

/** `name{a="b",…}` as promtool's series notation wants it. */
export function seriesOf(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** A counter growing by `perMinute` for `minutes` minutes, starting at 0. */
const grow = (perMinute: number, minutes: number): string => `0+${perMinute}x${minutes}`;
/** A gauge holding `value` for `minutes` minutes. */
const hold = (value: number, minutes: number): string => `${value}x${minutes}`;

const ROUTE = '/v1beta/models/{model}:generateContent';
const httpLabels = (status: number): Record<string, string> => ({
  ...TARGET,
  [L(ATTR_HTTP_REQUEST_METHOD)]: 'POST',
  [L(ATTR_HTTP_ROUTE)]: ROUTE,
  [L(ATTR_HTTP_RESPONSE_STATUS_CODE)]: String(status),
  ...(status >= 500 ? { [L(ATTR_ERROR_TYPE)]: String(status) } : {}),
});

/** `percentBad` of 100 requests a minute fail with 503, for `minutes` minutes. */
function availabilitySeries(percentBad: number, minutes: number): InputSeries[] {
  const count = promCount(METRICS.httpServerDuration);
  return [
    { series: seriesOf(count, httpLabels(200)), values: grow(100 - percentBad, minutes) },
    { series: seriesOf(count, httpLabels(503)), values: grow(percentBad, minutes) },
  ];
}

/**
 * `percentSlow` of 100 successful requests a minute take longer than the latency threshold; and on each of
 * `slowStreamRoutes`, 100 streams a minute, every one slower.
 */
function latencySeries(percentSlow: number, minutes: number, slowStreamRoutes: readonly string[] = []): InputSeries[] {
  const slow = (labels: Record<string, string>, percent: number): InputSeries[] => [
    { series: seriesOf(promCount(METRICS.httpServerDuration), labels), values: grow(100, minutes) },
    { series: seriesOf(promBucket(METRICS.httpServerDuration), { ...labels, le: promLe(LATENCY_THRESHOLD_SECONDS) }), values: grow(100 - percent, minutes) },
  ];
  return [...slow(httpLabels(200), percentSlow), ...slowStreamRoutes.flatMap((route) => slow({ ...httpLabels(200), [L(ATTR_HTTP_ROUTE)]: route }, 100))];
}

/** Routes that stream: Gemini's, and OpenAI chat completions (whose streams share the route with unary answers). */
const STREAM_ROUTES = ['/v1beta/models/{model}:streamGenerateContent', '/v1beta/openai/chat/completions', '/v1/chat/completions'];

/**
 * Burn-rate cases: a constant bad ratio between this window's threshold and the next faster window's, so
 * this window and the slower ones hold from t=1m (the first evaluation with two samples) and only this one
 * has reached its `for` at `1m + for`.
 */
const BURN_PERCENT = {
  availability: { '1h': 2, '6h': 1, '1d': 0.5, '3d': 0.2 } as Record<string, number>,
  latency: { '1h': 20, '6h': 10, '1d': 5, '3d': 2 } as Record<string, number>,
};
function burnCases(): AlertTestCase[] {
  return BURN_WINDOWS.flatMap((w) => {
    // Series just long enough for the boundary: evaluation time is what promtool spends.
    const BURN_MINUTES = 1 + seconds(w.for) / 60 + 1;
    const availability = BURN_PERCENT.availability[w.long] ?? 0;
    const latency = BURN_PERCENT.latency[w.long] ?? 0;
    const rule = { long: w.long, short: w.short };
    return [
      {
        alert: 'GatewayAvailabilityBudgetBurn' as const,
        rule,
        fires: {
          title: `${availability}% of requests fail: the ${w.long}/${w.short} window (${burnFactor(w)}x) fires`,
          series: availabilitySeries(availability, BURN_MINUTES),
          activeAt: '1m' as Duration,
          labels: { job: TEST_JOB },
          description: `${availability}% of Gemini API requests to ${TEST_JOB} failed with a 5xx over the last ${w.long} (burn rate ${burnFactor(w)}x; the 99.9% SLO allows 0.1%). At this rate ${w.budgetSpent * 100}% of the 30-day error budget is gone within ${w.long}.`,
        },
        quiet: { title: '0.05% of requests fail: within the 99.9% objective', series: availabilitySeries(0.05, BURN_MINUTES), until: `${BURN_MINUTES}m` as Duration },
      },
      {
        alert: 'GatewayLatencyBudgetBurn' as const,
        rule,
        fires: {
          title: `${latency}% of unary requests are slow: the ${w.long}/${w.short} window (${burnFactor(w)}x) fires`,
          series: latencySeries(latency, BURN_MINUTES),
          activeAt: '1m' as Duration,
          labels: { job: TEST_JOB },
          description: `${latency}% of successful unary Gemini API requests to ${TEST_JOB} took longer than ${LATENCY_THRESHOLD_SECONDS}s over the last ${w.long} (burn rate ${burnFactor(w)}x; the 99% SLO allows 1%).`,
        },
        quiet: {
          title: '0.5% of unary requests are slow, and every stream (Gemini and OpenAI chat): within the 99% objective, which counts no stream',
          series: latencySeries(0.5, BURN_MINUTES, STREAM_ROUTES),
          until: `${BURN_MINUTES}m` as Duration,
        },
      },
    ];
  });
}

const MODEL = 'gemini-2.5-flash';
const genAiLabels = { ...TARGET, [L(ATTR_GEN_AI_OPERATION_NAME)]: 'generate_content', [L(ATTR_GEN_AI_PROVIDER_NAME)]: 'gcp.gemini', [L(ATTR_GEN_AI_REQUEST_MODEL)]: MODEL };

function quotaSeries(percent429: number): InputSeries[] {
  const count = promCount(METRICS.genAiOperationDuration);
  return [
    { series: seriesOf(count, genAiLabels), values: grow(100 - percent429, 40) },
    { series: seriesOf(count, { ...genAiLabels, [L(ATTR_ERROR_TYPE)]: UPSTREAM_QUOTA_ERROR_TYPE }), values: grow(percent429, 40) },
  ];
}

const breakerLabels = { ...TARGET, [L(ATTR_GEN_AI_PROVIDER_NAME)]: 'gcp.gemini', [L(ATTR_GEN_AI_REQUEST_MODEL)]: 'gemini-2.5-pro' };

function fallbackSeries(perHundred: number): InputSeries[] {
  return [
    {
      series: seriesOf(promTotal(METRICS.fallbacks), { ...TARGET, [L(G.FALLBACK_FROM_MODEL)]: 'gemini-2.5-pro', [L(G.FALLBACK_TO_MODEL)]: 'gemini-2.5-flash', [L(G.FALLBACK_REASON)]: 'breaker_open' }),
      values: grow(perHundred, 40),
    },
    { series: seriesOf(promTotal(METRICS.requests), { ...TARGET, [L(ATTR_GEN_AI_REQUEST_MODEL)]: MODEL, [L(G.OUTCOME)]: 'success' }), values: grow(100, 40) },
  ];
}

/** 100 lookups a minute; `hitsPerMinute` of them hit for 300 minutes, then `hitsAfter`. */
function cacheSeries(hitsAfter: number): InputSeries[] {
  const lookups = promTotal(METRICS.cacheLookups);
  const labels = (result: string): Record<string, string> => ({ ...TARGET, [L(ATTR_GEN_AI_REQUEST_MODEL)]: MODEL, [L(G.CACHE_RESULT)]: result });
  return [
    { series: seriesOf(lookups, labels('hit')), values: `0+50x300 ${15000 + hitsAfter}+${hitsAfter}x49` },
    { series: seriesOf(lookups, labels('miss')), values: `0+50x300 ${15000 + 100 - hitsAfter}+${100 - hitsAfter}x49` },
  ];
}

/** Spend of `baseline` USD a minute for 1500 minutes (25h, a full baseline), then `after` USD a minute. */
function costSeries(baseline: number, after: number): InputSeries[] {
  const total = Number((baseline * 1500).toFixed(6));
  return [
    {
      series: seriesOf(promTotal(METRICS.costUsd), { ...TARGET, [L(ATTR_GEN_AI_PROVIDER_NAME)]: 'gcp.gemini', [L(ATTR_GEN_AI_REQUEST_MODEL)]: MODEL }),
      values: `0+${baseline}x1500 ${Number((total + after).toFixed(6))}+${after}x32`,
    },
  ];
}

function keyReloadSeries(withSuccesses: boolean): InputSeries[] {
  const reloads = promTotal(METRICS.keyReloads);
  const failed = { series: seriesOf(reloads, { ...TARGET, [L(G.KEY_RELOAD_OUTCOME)]: 'failed' }), values: grow(1, 40) };
  return withSuccesses ? [failed, { series: seriesOf(reloads, { ...TARGET, [L(G.KEY_RELOAD_OUTCOME)]: 'unchanged' }), values: grow(1, 40) }] : [failed];
}

/** One case per alert rule. */
export const ALERT_TEST_CASES: readonly AlertTestCase[] = [
  ...burnCases(),
  {
    alert: 'GeminiQuotaExhausted',
    fires: {
      title: '10% of upstream calls answered 429',
      series: quotaSeries(10),
      activeAt: '1m',
      labels: { job: TEST_JOB, [L(ATTR_GEN_AI_REQUEST_MODEL)]: MODEL },
      description: `10% of upstream calls for model ${MODEL} from ${TEST_JOB} were rejected with 429 RESOURCE_EXHAUSTED over the last 10 minutes (threshold 5%).`,
    },
    quiet: { title: '2% of upstream calls answered 429', series: quotaSeries(2), until: '40m' },
  },
  {
    alert: 'GatewayCircuitBreakerOpen',
    fires: {
      title: 'the breaker is open (2) from the start',
      series: [{ series: seriesOf(promName(METRICS.breakerState), breakerLabels), values: hold(2, 30) }],
      activeAt: '0m',
      labels: { job: TEST_JOB, [L(ATTR_GEN_AI_PROVIDER_NAME)]: 'gcp.gemini', [L(ATTR_GEN_AI_REQUEST_MODEL)]: 'gemini-2.5-pro' },
      description: `The circuit breaker for model gemini-2.5-pro on gcp.gemini (${TEST_JOB}) keeps opening: requests go to fallback models or fail fast.`,
    },
    quiet: { title: 'the breaker stays half-open (1), probing', series: [{ series: seriesOf(promName(METRICS.breakerState), breakerLabels), values: hold(1, 30) }], until: '30m' },
  },
  {
    alert: 'GatewayFallbackRateHigh',
    fires: {
      title: '20 fallbacks per 100 requests',
      series: fallbackSeries(20),
      activeAt: '1m',
      labels: { job: TEST_JOB },
      description: `${TEST_JOB} moved requests to a fallback model 20% as often as it served requests over the last 10 minutes (threshold 10%).`,
    },
    quiet: { title: '5 fallbacks per 100 requests', series: fallbackSeries(5), until: '40m' },
  },
  {
    alert: 'GatewayCacheHitRateCollapsed',
    // Hits stop at minute 300. At t = 300 + k (k ≤ 30): 30m ratio = (30 − k)/60, 6h ratio = 50·300/(100·t)
    // (all data lies inside the 6h window, and the divisor cancels). (30 − k)/60 < 0.5 · 150/(300 + k) first
    // holds at k = 16, so activeAt = 316m.
    fires: {
      title: 'the hit ratio drops from 50% to 0 at minute 300',
      series: cacheSeries(0),
      activeAt: '316m',
      labels: { job: TEST_JOB },
      description: `The cache hit ratio of ${TEST_JOB} is 0% over the last 30 minutes, less than 50% of its 6-hour average: more calls reach Gemini and cost more.`,
    },
    quiet: { title: 'the hit ratio dips from 50% to 40%', series: cacheSeries(40), until: '346m' },
  },
  {
    alert: 'GatewayBudgetNearlySpent',
    fires: {
      title: 'a caller at 95% of its budget',
      series: [{ series: seriesOf(promName(METRICS.budgetMaxSpentRatio), TARGET), values: hold(0.95, 20) }],
      activeAt: '0m',
      labels: { job: TEST_JOB },
      description: `A caller of ${TEST_JOB} has spent 95% of its budget (threshold 90%). The gateway log names the caller.`,
    },
    quiet: { title: 'the highest caller at 85%', series: [{ series: seriesOf(promName(METRICS.budgetMaxSpentRatio), TARGET), values: hold(0.85, 20) }], until: '20m' },
  },
  {
    alert: 'GatewayCostAnomaly',
    // 0.01 USD/min for 25h, then 1 USD/min from minute 1501. At t = 1500 + k the last hour cost 0.01·(60 − k) + k
    // USD, the baseline day [t−25h, t−1h] 14.4 USD, i.e. 0.6 USD/h. k = 1: 1.59 < 3·0.6; k = 2: 2.58 > 1.8
    // and > 1 USD/h, and a sample exists 25h back, so activeAt = 1502m.
    fires: {
      title: 'spend jumps from 0.6 to 60 USD/h after a day of history',
      series: costSeries(0.01, 1),
      activeAt: '1502m',
      labels: { job: TEST_JOB },
      // $value is read when the alert fires (k = 32): 0.01·28 + 32.
      description: `${TEST_JOB} is spending 32.28 USD per hour, more than 3x its average over the previous day.`,
    },
    quiet: { title: 'steady 1.8 USD/h (also: no alert during the first 25h, before a baseline exists)', series: costSeries(0.03, 0.03), until: '1532m' },
  },
  {
    alert: 'GatewayRedisUnreachable',
    fires: {
      title: 'Redis unreachable from the start',
      series: [{ series: seriesOf(promName(METRICS.stateBackendReachable), { ...TARGET, [L(G.STATE_BACKEND)]: 'redis' }), values: hold(0, 20) }],
      activeAt: '0m',
      labels: { ...TARGET, [L(G.STATE_BACKEND)]: 'redis' },
      description: `${TEST_INSTANCE} (${TEST_JOB}) has not reached Redis for 2 minutes: rate limits and budgets are per instance until it does (or requests are refused, if the gateway is set to fail closed).`,
    },
    quiet: { title: 'Redis reachable', series: [{ series: seriesOf(promName(METRICS.stateBackendReachable), { ...TARGET, [L(G.STATE_BACKEND)]: 'redis' }), values: hold(1, 20) }], until: '20m' },
  },
  {
    alert: 'GatewayKeyReloadFailing',
    fires: {
      title: 'every reload fails',
      series: keyReloadSeries(false),
      activeAt: '1m',
      labels: { ...TARGET },
      description: `${TEST_INSTANCE} (${TEST_JOB}) has failed every API-key reload for ${THRESHOLDS.keyReloadWindow}: it keeps using the key it has, which stops working when that key is retired.`,
    },
    quiet: { title: 'some reloads fail, others succeed', series: keyReloadSeries(true), until: '40m' },
  },
  {
    alert: 'GatewayDown',
    fires: {
      title: 'the target is down',
      series: [{ series: seriesOf('up', TARGET), values: hold(0, 20) }],
      activeAt: '0m',
      labels: { ...TARGET },
      description: `${TEST_INSTANCE} of ${TEST_JOB} is down or not answering /metrics.`,
    },
    quiet: { title: 'the target is up', series: [{ series: seriesOf('up', TARGET), values: hold(1, 20) }], until: '20m' },
  },
  {
    alert: 'GatewayEventLoopSaturated',
    fires: {
      title: 'event-loop delay p99 at 500ms',
      series: [{ series: seriesOf(promName(METRICS.eventLoopDelayP99), TARGET), values: hold(0.5, 30) }],
      activeAt: '0m',
      labels: { ...TARGET },
      description: `The event-loop delay p99 of ${TEST_INSTANCE} (${TEST_JOB}) averaged 500ms over 5 minutes (threshold 0.25s): every request on it waits.`,
    },
    quiet: { title: 'event-loop delay p99 at 50ms', series: [{ series: seriesOf(promName(METRICS.eventLoopDelayP99), TARGET), values: hold(0.05, 30) }], until: '30m' },
  },
];

function ruleOf(testCase: AlertTestCase): AlertRule {
  const rule = ALERT_RULES.find((r) => r.name === testCase.alert && Object.entries(testCase.rule ?? {}).every(([k, v]) => r.labels?.[k] === v));
  if (!rule) throw new Error(`no rule for test case ${testCase.alert} ${JSON.stringify(testCase.rule ?? {})}`);
  return rule;
}

const minutes = (duration: Duration): number => seconds(duration) / 60;
const at = (totalMinutes: number): Duration => (totalMinutes === 0 ? '0m' : formatSeconds(totalMinutes * 60));

/**
 * The promtool test file for one rule group. `rulesDir` is where the rule files are, relative to the test
 * file's own directory (promtool resolves `rule_files` from there; a wrong path is only a warning).
 */
export function promtoolTestFile(group: RuleGroup, rulesDir: string, runbookBaseUrl?: string): object {
  const cases = ALERT_TEST_CASES.filter((testCase) => ruleOf(testCase).group === group);
  const tests = cases.flatMap((testCase) => {
    const rule = ruleOf(testCase);
    const boundary = minutes(testCase.fires.activeAt) + minutes(rule.for);
    const which = testCase.rule ? ` (${Object.values(testCase.rule).join('/')})` : '';
    const firing = {
      exp_labels: { severity: rule.severity, ...rule.labels, ...testCase.fires.labels },
      exp_annotations: { summary: rule.summary, description: testCase.fires.description, runbook_url: runbookUrl(rule.name, runbookBaseUrl) },
    };
    return [
      {
        name: `${rule.name}${which} fires at its for boundary: ${testCase.fires.title}`,
        interval: '1m',
        input_series: testCase.fires.series,
        alert_rule_test: [
          { eval_time: at(boundary - 1), alertname: rule.name, exp_alerts: [] },
          { eval_time: at(boundary), alertname: rule.name, exp_alerts: [firing] },
        ],
      },
      {
        name: `${rule.name}${which} stays silent: ${testCase.quiet.title}`,
        interval: '1m',
        input_series: testCase.quiet.series,
        alert_rule_test: [...new Set([boundary, minutes(testCase.quiet.until)])].map((t) => ({ eval_time: at(t), alertname: rule.name, exp_alerts: [] })),
      },
    ];
  });
  // Only the group under test (and the SLI recordings it reads) is loaded: promtool evaluates every loaded
  // rule at every step. Without an explicit order it evaluates groups in map order, so an alert could read
  // a recording rule one step late in some runs and not in others.
  const groups = group === 'gemini-gateway-slo' ? [SLO_RECORDING_GROUP, group] : [group];
  const dir = rulesDir.replace(/\/+$/, '');
  return { rule_files: groups.map((g) => `${dir}/${ruleFileName(g)}`), evaluation_interval: '1m', group_eval_order: groups, tests };
}

/** The file a group's promtool tests are rendered to. */
export function testFileName(group: RuleGroup): string {
  return `${group}.test.yaml`;
}

/** One promtool test file per alert group (file name → content). */
export function promtoolTestFiles(rulesDir: string, runbookBaseUrl?: string): Record<string, string> {
  const header = 'Generated by `npm run render:observability` from alerts/promtool-tests.ts. Do not edit by hand.\nRun: promtool test rules alerts/rendered/promtool/*.test.yaml';
  return Object.fromEntries(RULE_GROUPS.map((group) => [testFileName(group), toYaml(promtoolTestFile(group, rulesDir, runbookBaseUrl), header)]));
}
