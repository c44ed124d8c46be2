/**
 * Scenarios: the real environments, plus variants of them that switch on what no real environment uses
 * today (GKE, a Vertex AI endpoint, a public gateway, a canary, alert and dashboard definitions). Each
 * variant goes through the same schema as environments.ts.
 */
import { parseEnvironment, type Environment } from '../../infra/environment-schema';
import { ENVIRONMENTS, environment } from '../../infra/environments';
import type { ObservabilityDefinitions } from '../../infra/observability-definitions';
import { METRICS, promCount, promName } from '../../service/telemetry/metrics-catalogue';

const requests = promCount(METRICS.httpServerDuration);

export const gkeScenario: Environment = parseEnvironment({
  ...environment('staging'),
  platform: 'gke',
  gke: { cluster: { kind: 'autopilot', releaseChannel: 'REGULAR' }, namespace: 'gemini-gateway' },
});

export const vertexEndpointScenario: Environment = parseEnvironment({
  ...environment('prod'),
  vertex: { location: 'global', endpoint: { id: '4242424242', displayName: 'tuned flash', dedicated: true, models: ['support-flash-tuned', 'legal-flash-tuned'] } },
});

export const publicScenario: Environment = parseEnvironment({ ...environment('dev'), public: true, invokers: [] });

export const canaryScenario: Environment = parseEnvironment({
  ...environment('prod'),
  release: { tag: '0.2.0', stableRevision: 'gemini-gw-0-1-0-abc123', canaryPercent: 10 },
});

export const SCENARIOS: Record<string, Environment> = {
  ...Object.fromEntries(ENVIRONMENTS.map((e) => [e.name, e])),
  'gke (staging on GKE)': gkeScenario,
  'vertex endpoint (prod with a tuned model)': vertexEndpointScenario,
  'public (dev open to the internet)': publicScenario,
  'canary (prod rolling out 0.2.0)': canaryScenario,
};

/** Alert and dashboard definitions shaped as alerts/ and dashboards/ will export them. */
export const OBSERVABILITY_FIXTURE: ObservabilityDefinitions = {
  alertPolicies: [
    {
      alert: 'GeminiGatewayHighErrorRate',
      expr: `sum(rate(${requests}{http_response_status_code=~"5.."}[5m])) / sum(rate(${requests}[5m])) > 0.05`,
      for: '5m',
      severity: 'critical',
      summary: 'More than 5% of requests fail',
      description: 'The gateway answers 5xx to more than 5% of requests.',
      runbookUrl: 'https://github.com/example/gemini-gateway/blob/main/alerts/runbooks/GeminiGatewayHighErrorRate.md',
    },
    {
      alert: 'GeminiGatewayBudgetNearlySpent',
      expr: `max(${promName(METRICS.budgetMaxSpentRatio)}) > 0.9`,
      for: '1h30m',
      severity: 'warning',
      summary: 'A caller has spent 90% of its budget',
      runbookUrl: 'https://github.com/example/gemini-gateway/blob/main/alerts/runbooks/GeminiGatewayBudgetNearlySpent.md',
      labels: { team: 'platform' },
    },
    {
      alert: 'GeminiGatewayFallbackUsed',
      expr: `sum(rate(${promName(METRICS.fallbacks)}[10m])) > 0`,
      for: '0s',
      severity: 'info',
      summary: 'Requests are served by fallback models',
      runbookUrl: 'https://github.com/example/gemini-gateway/blob/main/alerts/runbooks/GeminiGatewayFallbackUsed.md',
    },
  ],
  dashboards: [
    {
      name: 'gateway-overview',
      dashboard: {
        displayName: 'Gemini gateway overview',
        mosaicLayout: {
          columns: 48,
          tiles: [{ width: 24, height: 16, widget: { title: 'Requests', xyChart: { dataSets: [{ timeSeriesQuery: { prometheusQuery: `sum(rate(${requests}[5m]))` } }] } } }],
        },
      },
    },
  ],
};
