/** Gateway overview: golden signals of the Gemini API surface, the SLOs and their burn, saturation. */
import { BURN_WINDOWS, burnFactor, SLOS, API_ROUTES, errorBudget, LATENCY_THRESHOLD_SECONDS, type SliContext, type Slo, type SloTargets } from '../../alerts/slo';
import { formatSeconds } from '../../alerts/durations';
import { THRESHOLDS } from '../../alerts/definitions';
import { ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, GATEWAY_ATTRIBUTES as G } from '../../service/telemetry/semconv';
import { METRICS, promBucket, promCount, promLabel as L, promName, promTotal } from '../../service/telemetry/metrics-catalogue';
import type { DashboardDefinition, DashboardQueryContext } from '../ir';
import { query, quantile, sel, sumRate } from '../queries';

const COUNT = promCount(METRICS.httpServerDuration);
const BUCKET = promBucket(METRICS.httpServerDuration);
const STATUS = L(ATTR_HTTP_RESPONSE_STATUS_CODE);

/** The SLI as the alerts compute it, over a fixed window, restricted to the dashboard's targets. */
const sli = (q: DashboardQueryContext): SliContext => ({ job: q.sel, range: (w) => w });
const pageWindows = BURN_WINDOWS.filter((w) => w.severity === 'critical');
/** A ratio as a percentage without float noise in the text (0.9995 → 99.95). */
const percent = (ratio: number): number => Number((ratio * 100).toPrecision(6));

function burnPanelQueries(slo: Slo) {
  return pageWindows.map((w) => query((q) => `(\n${slo.errorRatio(sli(q), w.long)}\n) / ${errorBudget(slo)}`, `{{job}} ${w.long} burn rate`));
}

/**
 * The overview for an SLO: the availability objective and the period are an environment's own (as its alert
 * policies' are), so the budget lines, burn thresholds and budget-left panels agree with what pages.
 */
export function overviewFor(targets: SloTargets): DashboardDefinition {
  const availability: Slo = { ...SLOS.availability, objective: targets.availabilityObjective };
  const latency = SLOS.latency;
  const period = formatSeconds(Math.round(targets.periodDays * 86_400));
  const pageThreshold = pageWindows[0] && burnFactor(pageWindows[0], targets.periodDays);
  return {
    id: 'overview',
    title: 'Gemini gateway / Overview',
    description: 'Golden signals of the Gemini API surface, the availability and latency SLOs with their burn rates, and process saturation.',
    rows: [
      {
        title: 'Golden signals',
        panels: [
          {
            kind: 'timeseries',
            title: 'Requests per second by route',
            description: 'Gemini API requests per second, by route template (model ids are replaced by `{model}`). Probes and /metrics are excluded.',
            unit: 'requests_per_second',
            queries: [query((q) => sumRate(q, COUNT, [L(ATTR_HTTP_ROUTE)], { matchers: [API_ROUTES] }), '{{http_route}}')],
          },
          {
            kind: 'timeseries',
            title: 'Responses per second by status code',
            description: 'Answers by HTTP status. 5xx spend the availability budget; 429 is admission control or an upstream quota relayed.',
            unit: 'requests_per_second',
            queries: [query((q) => sumRate(q, COUNT, [STATUS], { matchers: [API_ROUTES] }), '{{http_response_status_code}}')],
          },
          {
            kind: 'timeseries',
            title: 'Server error ratio (5xx)',
            description: `Share of Gemini API requests answered with a 5xx. The line is the error budget of the ${percent(availability.objective)}% availability SLO.`,
            unit: 'ratio',
            threshold: errorBudget(availability),
            alerts: ['GatewayAvailabilityBudgetBurn', 'GatewayDown'],
            queries: [
              query((q) => `${sumRate(q, COUNT, [], { matchers: [API_ROUTES, [STATUS, '=~', '5..']] })}\n/\n${sumRate(q, COUNT, [], { matchers: [API_ROUTES] })}`, '5xx ratio'),
            ],
          },
          {
            kind: 'timeseries',
            title: 'Request latency',
            description: `Gemini API request duration percentiles (streams last until their last chunk). The line is the ${LATENCY_THRESHOLD_SECONDS}s latency objective.`,
            unit: 'seconds',
            threshold: LATENCY_THRESHOLD_SECONDS,
            alerts: ['GatewayLatencyBudgetBurn'],
            queries: [0.5, 0.95, 0.99].map((p) => query((q) => quantile(q, p, BUCKET, [], { matchers: [API_ROUTES] }), `p${p * 100}`)),
          },
          {
            kind: 'timeseries',
            title: 'Requests in flight',
            description: 'Requests being served, per instance (the GKE HPA scales on this).',
            unit: 'count',
            queries: [query((q) => `sum by (instance) (${promName(METRICS.httpServerActiveRequests)}${sel(q, false)})`, '{{instance}}')],
          },
          {
            kind: 'timeseries',
            title: 'Requests by outcome',
            description: 'How Gemini API requests ended: success, client error, upstream error, rejected by admission, cancelled by the client.',
            unit: 'requests_per_second',
            queries: [query((q) => sumRate(q, promTotal(METRICS.requests), [L(G.OUTCOME)], { model: true }), '{{gateway_outcome}}')],
          },
        ],
      },
      {
        title: 'SLOs and error budget',
        panels: [
          {
            kind: 'timeseries',
            title: 'Availability burn rate',
            description: `How fast the ${period} availability error budget burns (1 = exactly on budget). The page fires when both a long and a short window exceed ${pageWindows.map((w) => `${burnFactor(w, targets.periodDays)}x (${w.long}/${w.short})`).join(' or ')}.`,
            unit: 'count',
            threshold: pageThreshold,
            alerts: ['GatewayAvailabilityBudgetBurn'],
            queries: burnPanelQueries(availability),
          },
          {
            kind: 'timeseries',
            title: 'Latency burn rate',
            description: `How fast the ${period} latency error budget burns: ${latency.badEvents} against a ${percent(latency.objective)}% objective.`,
            unit: 'count',
            threshold: pageThreshold,
            alerts: ['GatewayLatencyBudgetBurn'],
            queries: burnPanelQueries(latency),
          },
          {
            kind: 'stat',
            title: `Availability, last ${period}`,
            description: `Share of Gemini API requests without a 5xx over the SLO period; the objective is ${percent(availability.objective)}%.`,
            unit: 'ratio',
            threshold: availability.objective,
            badWhen: 'below',
            width: 6,
            queries: [query((q) => `1 - (\n${availability.errorRatio(sli(q), period)}\n)`, '{{job}}')],
          },
          {
            kind: 'stat',
            title: 'Availability error budget left',
            description: `Share of the ${period} availability error budget (${percent(errorBudget(availability))}% of requests) not yet spent.`,
            unit: 'ratio',
            width: 6,
            alerts: ['GatewayAvailabilityBudgetBurn'],
            queries: [query((q) => `1 - (\n${availability.errorRatio(sli(q), period)}\n) / ${errorBudget(availability)}`, '{{job}}')],
          },
          {
            kind: 'stat',
            title: 'Latency error budget left',
            description: `Share of the ${period} latency error budget (${percent(errorBudget(latency))}% of unary requests slower than ${LATENCY_THRESHOLD_SECONDS}s) not yet spent.`,
            unit: 'ratio',
            width: 6,
            alerts: ['GatewayLatencyBudgetBurn'],
            queries: [query((q) => `1 - (\n${latency.errorRatio(sli(q), period)}\n) / ${errorBudget(latency)}`, '{{job}}')],
          },
          {
            kind: 'stat',
            title: 'Scrape targets up',
            description: 'Gateway instances Prometheus can scrape. 0 means the gateway is down or /metrics does not answer.',
            unit: 'count',
            width: 6,
            alerts: ['GatewayDown'],
            queries: [query((q) => `sum(up${sel(q, false)})`, 'up')],
          },
        ],
      },
      {
        title: 'Saturation',
        panels: [
          {
            kind: 'timeseries',
            title: 'Event-loop delay p99',
            description: 'How late timers fire on each instance: a CPU-bound gateway delays every request it holds.',
            unit: 'seconds',
            threshold: THRESHOLDS.eventLoopP99Seconds,
            alerts: ['GatewayEventLoopSaturated'],
            queries: [query((q) => `max by (instance) (${promName(METRICS.eventLoopDelayP99)}${sel(q, false)})`, '{{instance}}')],
          },
          {
            kind: 'timeseries',
            title: 'Event-loop utilisation',
            description: 'Share of time the event loop was busy on each instance.',
            unit: 'ratio',
            alerts: ['GatewayEventLoopSaturated'],
            queries: [query((q) => `max by (instance) (${promName(METRICS.eventLoopUtilization)}${sel(q, false)})`, '{{instance}}')],
          },
          {
            kind: 'timeseries',
            title: 'V8 heap used',
            description: 'JavaScript heap in use per instance (all heap spaces).',
            unit: 'bytes',
            queries: [query((q) => `sum by (instance) (${promName(METRICS.heapUsed)}${sel(q, false)})`, '{{instance}}')],
          },
          {
            kind: 'text',
            title: 'Logs for a request',
            content: [
              'Cloud Logging (Logs Explorer), the gateway on Cloud Run:',
              '```',
              'resource.type="cloud_run_revision"',
              'resource.labels.service_name="gemini-gw"',
              'severity>=WARNING',
              '```',
              'One request, from a trace id shown in Cloud Trace:',
              '```',
              'trace="projects/PROJECT_ID/traces/TRACE_ID"',
              '```',
            ].join('\n'),
          },
        ],
      },
    ],
  };
}
