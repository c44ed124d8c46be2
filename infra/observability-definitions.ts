/**
 * The alert policies and dashboards an environment gets, as plain data, and the one place where they come
 * from: `observabilityDefinitions()`. The definitions themselves belong to `alerts/` and `dashboards/`
 * (one source rendered to Prometheus rules, Grafana and Cloud Monitoring); when those folders export them,
 * import them in that function and nowhere else. The shapes follow Prometheus rules (`alert`, `expr`,
 * `for`, `labels`) so the same objects feed both worlds.
 */
import { z } from 'zod';
import { alertPolicyDefinitions } from '../alerts';
import { dashboardDefinitions } from '../dashboards';
import type { Environment } from './environment-schema';

const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof SEVERITIES)[number];

const alertPolicySchema = z.object({
  /** CamelCase with a component prefix, e.g. `GeminiGatewayHighErrorRate`. */
  alert: z.string().regex(/^[A-Z][A-Za-z0-9]+$/, 'must be a CamelCase alert name'),
  /** PromQL, evaluated by Cloud Monitoring over Managed Service for Prometheus data. */
  expr: z.string().min(1),
  /** How long `expr` must hold before the alert fires, as in Prometheus: `5m`, `1h30m`, `0s`. */
  for: z.string().regex(/^(\d+[dhms])+$/, 'must be a Prometheus duration such as 5m or 1h30m'),
  severity: z.enum(SEVERITIES),
  summary: z.string().min(1),
  description: z.string().optional(),
  runbookUrl: z.url(),
  labels: z.record(z.string(), z.string()).default({}),
});

const dashboardSchema = z.object({
  /** Stable identifier (file name); the construct id of the dashboard. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lowercase identifier such as gateway-overview'),
  /** Cloud Monitoring dashboard JSON (`mosaicLayout`, tiles with `timeSeriesQuery.prometheusQuery`, …). */
  dashboard: z.looseObject({ displayName: z.string().min(1) }),
});

export type AlertPolicyDefinition = z.input<typeof alertPolicySchema>;
export type DashboardDefinition = z.input<typeof dashboardSchema>;
export type AlertPolicy = z.output<typeof alertPolicySchema>;
export type Dashboard = z.output<typeof dashboardSchema>;

export interface ObservabilityDefinitions {
  alertPolicies: readonly AlertPolicyDefinition[];
  dashboards: readonly DashboardDefinition[];
}

export interface Observability {
  alertPolicies: AlertPolicy[];
  dashboards: Dashboard[];
}

/** The alert and dashboard definitions of an environment: the same ones rendered for Prometheus and Grafana, linking its runbooks. */
export function observabilityDefinitions(env: Environment): ObservabilityDefinitions {
  const slo = { availabilityObjective: env.availabilityObjective, periodDays: env.sloPeriodDays };
  return {
    alertPolicies: alertPolicyDefinitions({
      runbookBaseUrl: env.runbookBaseUrl,
      slo,
      // Cloud Run with no minimum runs no instance when idle; a GKE Deployment keeps its replicas.
      scalesToZero: env.platform === 'cloud-run' && env.scaling.minInstances === 0,
    }),
    // The same SLO and runbooks as the alert policies.
    dashboards: dashboardDefinitions({ runbookBaseUrl: env.runbookBaseUrl, slo }),
  };
}

/** Validates definitions, naming the offending one; alert names and dashboard names must be unique. */
export function parseObservability(definitions: ObservabilityDefinitions): Observability {
  const problems: string[] = [];
  const alertPolicies = definitions.alertPolicies.flatMap((d, i) => {
    const result = alertPolicySchema.safeParse(d);
    if (result.success) return [result.data];
    problems.push(...result.error.issues.map((issue) => `alert ${d.alert ?? `#${i}`}: ${issue.path.join('.')}: ${issue.message}`));
    return [];
  });
  const dashboards = definitions.dashboards.flatMap((d, i) => {
    const result = dashboardSchema.safeParse(d);
    if (result.success) return [result.data];
    problems.push(...result.error.issues.map((issue) => `dashboard ${d.name ?? `#${i}`}: ${issue.path.join('.')}: ${issue.message}`));
    return [];
  });
  for (const [kind, names] of [
    ['alert', alertPolicies.map((a) => a.alert)],
    ['dashboard', dashboards.map((d) => d.name)],
  ] as const) {
    const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
    if (duplicates.length > 0) problems.push(`${kind} names must be unique: ${[...new Set(duplicates)].join(', ')}`);
  }
  if (problems.length > 0) throw new Error(`Invalid alert or dashboard definitions:\n  ${problems.join('\n  ')}`);
  return { alertPolicies, dashboards };
}

/** A Prometheus duration (`1h30m`) as the seconds string Cloud Monitoring expects (`5400s`). */
export function toMonitoringDuration(duration: string): string {
  const unit: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };
  let seconds = 0;
  for (const [, amount, u] of duration.matchAll(/(\d+)([dhms])/g)) seconds += Number(amount) * (unit[u ?? 's'] ?? 1);
  return `${seconds}s`;
}
