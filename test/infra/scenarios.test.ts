/**
 * What the environments can ask for but none does today: a canary, GKE, a Vertex AI endpoint, a public
 * gateway, alert policies and dashboards. Each scenario is a real environment with one thing switched on.
 */
import { DEFAULT_RUNBOOK_BASE_URL } from '../../alerts';
import { loadConfig } from '../../service/config/load';
import { SETTINGS } from '../../service/config/settings';
import { environment } from '../../infra/environments';
import { parseEnvironment } from '../../infra/environment-schema';
import { GatewayStack } from '../../infra/stacks/gateway-stack';
import { observabilityDefinitions } from '../../infra/observability-definitions';
import { Testing } from 'cdktf';
import { canaryScenario, gkeScenario, OBSERVABILITY_FIXTURE, publicScenario, vertexEndpointScenario } from './scenarios';
import { get, synth, type Json } from './synth';

describe('a canary (prod rolling out 0.2.0 while 0.1.0 serves)', () => {
  const s = synth(canaryScenario);
  const service = () => s.one('google_cloud_run_v2_service', '/gateway/service');

  test('the stable revision keeps 90% under the tag "stable", the new one gets 10% under "canary"', () => {
    expect(get(service(), 'traffic')).toEqual([
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'gemini-gw-0-1-0-abc123', percent: 90, tag: 'stable' },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 10, tag: 'canary' },
    ]);
    expect(get(service(), 'template', 'revision')).toMatch(/^gemini-gw-0-2-0-[0-9a-f]{6}$/);
    expect(get(service(), 'template', 'labels', 'release')).toBe('0-2-0');
  });

  test('promoting (removing stableRevision) sends all traffic to the new revision, which keeps its name', () => {
    const promoted = synth(parseEnvironment({ ...canaryScenario, release: { tag: '0.2.0', canaryPercent: 10 } }));
    const promotedService = promoted.one('google_cloud_run_v2_service', '/gateway/service');
    expect(get(promotedService, 'traffic')).toEqual([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
    expect(get(promotedService, 'template', 'revision')).toBe(get(service(), 'template', 'revision'));
  });

  test('a canary share of 0 rolls back: all traffic to the stable revision, the new one kept under its tag', () => {
    const rolledBack = synth(parseEnvironment({ ...canaryScenario, release: { ...canaryScenario.release, canaryPercent: 0 } }));
    const rolledBackService = rolledBack.one('google_cloud_run_v2_service', '/gateway/service');
    expect(get(rolledBackService, 'traffic')).toEqual([
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION', revision: 'gemini-gw-0-1-0-abc123', percent: 100, tag: 'stable' },
      { type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 0, tag: 'canary' },
    ]);
    expect(get(rolledBackService, 'template', 'revision')).toBe(get(service(), 'template', 'revision'));
  });

  test('any change to what goes into a revision renames it, so Cloud Run never sees a reused name', () => {
    const rescaled = synth(parseEnvironment({ ...canaryScenario, scaling: { ...canaryScenario.scaling, concurrency: 50 } }));
    expect(get(rescaled.one('google_cloud_run_v2_service', '/gateway/service'), 'template', 'revision')).not.toBe(get(service(), 'template', 'revision'));
  });

  test('naming the revision this configuration creates as the stable one is refused', () => {
    const revision = get(service(), 'template', 'revision') as string;
    const selfCanary = parseEnvironment({ ...canaryScenario, release: { ...canaryScenario.release, stableRevision: revision } });
    expect(() => new GatewayStack(Testing.app(), selfCanary, observabilityDefinitions(selfCanary))).toThrow('a canary needs an older revision');
  });
});

describe('GKE (staging on Autopilot)', () => {
  const s = synth(gkeScenario);

  test('an Autopilot cluster on the environment network, with the Secret Manager add-on and private nodes', () => {
    expect(s.one('google_container_cluster')).toMatchObject({
      name: 'gemini-gw',
      location: gkeScenario.region,
      enable_autopilot: true,
      release_channel: { channel: 'REGULAR' },
      secret_manager_config: { enabled: true },
      private_cluster_config: { enable_private_nodes: true },
      network: expect.stringContaining('google_compute_network.'),
      deletion_protection: false,
    });
  });

  test('the gateway pod acts as the runtime service account through Workload Identity', () => {
    expect(s.one('google_service_account_iam_member', '/gke/workload-identity')).toMatchObject({
      role: 'roles/iam.workloadIdentityUser',
      member: 'serviceAccount:example-gemini-gw-staging.svc.id.goog[gemini-gateway/gemini-gw]',
      service_account_id: expect.stringContaining('identity_runtime'),
    });
  });

  test('the custom-metrics adapter may read Cloud Monitoring, for the in-flight autoscaling metric', () => {
    expect(s.one('google_project_iam_member', '/gke/metrics-adapter-reads-monitoring')).toMatchObject({
      role: 'roles/monitoring.viewer',
      member: expect.stringMatching(/^principal:\/\/iam\.googleapis\.com\/projects\/.+\/subject\/ns\/custom-metrics\/sa\/custom-metrics-stackdriver-adapter$/),
    });
  });

  test('no Cloud Run gateway; the load balancer address is reserved for the Ingress; the SLO follows the uptime check', () => {
    expect(s.ofType('google_cloud_run_v2_service')).toEqual([]);
    expect(s.one('google_compute_global_address')).toMatchObject({ name: 'gemini-gw-lb' });
    expect(s.ofType('google_compute_backend_service')).toEqual([]);
    expect(s.one('google_monitoring_slo')).toMatchObject({ windows_based_sli: { window_period: '300s', good_bad_metric_filter: expect.stringContaining('uptime_check/check_passed') } });
    expect(s.one('google_monitoring_uptime_check_config')).not.toHaveProperty('http_check.service_agent_authentication');
  });

  test('an existing cluster is used as is: no cluster resource, same identity binding', () => {
    const existing = synth(parseEnvironment({ ...gkeScenario, gke: { cluster: { kind: 'existing', name: 'shared', location: 'europe-west1' }, namespace: 'gemini-gateway' } }));
    expect(existing.ofType('google_container_cluster')).toEqual([]);
    expect(existing.one('google_service_account_iam_member', '/gke/workload-identity')).toMatchObject({ role: 'roles/iam.workloadIdentityUser' });
  });
});

describe('a Vertex AI endpoint for tuned models (prod)', () => {
  const s = synth(vertexEndpointScenario);
  const env = () => get(s.one('google_cloud_run_v2_service', '/gateway/service'), 'template', 'containers', 0, 'env') as Json[];

  test('is created with the id the environment chose, dedicated, in the region', () => {
    expect(s.one('google_vertex_ai_endpoint')).toMatchObject({ name: '4242424242', location: 'europe-west1', dedicated_endpoint_enabled: true, display_name: 'tuned flash' });
  });

  test('and the gateway is told to route the listed models to it', () => {
    expect(env()).toEqual(
      expect.arrayContaining([
        { name: SETTINGS.vertexEndpoint.env, value: 'projects/example-gemini-gw-prod/locations/europe-west1/endpoints/4242424242' },
        { name: SETTINGS.vertexEndpointModels.env, value: 'support-flash-tuned,legal-flash-tuned' },
        { name: SETTINGS.upstream.env, value: 'vertex' },
      ]),
    );
  });

  test('which the gateway accepts: the endpoint in its own region, the publisher models at the configured location', () => {
    const given = Object.fromEntries(env().flatMap((variable) => (typeof variable.value === 'string' ? [[variable.name as string, variable.value]] : [])));
    const settings = [SETTINGS.upstream, SETTINGS.project, SETTINGS.location, SETTINGS.vertexEndpoint, SETTINGS.vertexEndpointModels, SETTINGS.authMode, SETTINGS.callers].map((setting) => setting.env);
    const config = loadConfig(Object.fromEntries(settings.map((name) => [name, given[name]])));
    expect(config.resolvedUpstream).toEqual({
      kind: 'vertex',
      baseUrl: 'https://aiplatform.googleapis.com',
      project: 'example-gemini-gw-prod',
      location: 'global',
      endpoint: {
        name: 'projects/example-gemini-gw-prod/locations/europe-west1/endpoints/4242424242',
        id: '4242424242',
        baseUrl: 'https://europe-west1-aiplatform.googleapis.com',
        models: ['support-flash-tuned', 'legal-flash-tuned'],
      },
    });
  });
});

describe('a public gateway (dev)', () => {
  const s = synth(publicScenario);

  test('lets allUsers invoke it, and the uptime check needs no token', () => {
    const members = s
      .ofType('google_cloud_run_v2_service_iam_member')
      .filter((r) => r.path.startsWith('dev/gateway/'))
      .map((r) => r.body.member);
    expect(members).toEqual(['allUsers']);
    expect(s.one('google_monitoring_uptime_check_config')).not.toHaveProperty('http_check.service_agent_authentication');
  });
});

describe('alert policies and dashboards from definitions (staging with the fixture)', () => {
  const staging = environment('staging');
  const s = synth(staging, OBSERVABILITY_FIXTURE);
  const policy = (alert: string) => s.one('google_monitoring_alert_policy', `/alert-policies/${alert}`);

  test('each alert becomes a policy with a PromQL condition, its duration in seconds, and its rule name', () => {
    expect(policy('GeminiGatewayHighErrorRate')).toMatchObject({
      display_name: '[staging] GeminiGatewayHighErrorRate',
      severity: 'CRITICAL',
      combiner: 'OR',
      conditions: [
        {
          display_name: 'More than 5% of requests fail',
          condition_prometheus_query_language: {
            query: OBSERVABILITY_FIXTURE.alertPolicies[0]?.expr,
            duration: '300s',
            evaluation_interval: '60s',
            alert_rule: 'GeminiGatewayHighErrorRate',
            rule_group: 'gemini-gateway',
            labels: { severity: 'critical' },
            disable_metric_validation: true,
          },
        },
      ],
      documentation: expect.objectContaining({ links: [{ display_name: 'Runbook', url: OBSERVABILITY_FIXTURE.alertPolicies[0]?.runbookUrl }] }),
    });
    expect(get(policy('GeminiGatewayBudgetNearlySpent'), 'conditions', 0, 'condition_prometheus_query_language', 'duration')).toBe('5400s');
    expect(get(policy('GeminiGatewayBudgetNearlySpent'), 'conditions', 0, 'condition_prometheus_query_language', 'labels')).toEqual({ team: 'platform', severity: 'warning' });
  });

  test('notifications follow severity: staging routes critical and warning to its channel, info nowhere', () => {
    expect((policy('GeminiGatewayHighErrorRate').notification_channels as string[]).length).toBe(1);
    expect((policy('GeminiGatewayBudgetNearlySpent').notification_channels as string[]).length).toBe(1);
    expect(policy('GeminiGatewayFallbackUsed').notification_channels).toEqual([]);
    expect(policy('GeminiGatewayFallbackUsed')).not.toHaveProperty('severity');
  });

  test('each dashboard is its Cloud Monitoring JSON, read verbatim from a file asset (see literal-file.test.ts)', () => {
    expect(s.one('google_monitoring_dashboard', '/dashboards/gateway-overview').dashboard_json).toMatch(/^\$\{file\("assets\/[^"]+\/gateway-overview\.json"\)\}$/);
  });

  test('bad definitions are refused with the name of the alert and the field', () => {
    const broken = { alertPolicies: [{ ...OBSERVABILITY_FIXTURE.alertPolicies[0], alert: 'GeminiGatewayX', for: 'five minutes' }], dashboards: [] } as typeof OBSERVABILITY_FIXTURE;
    expect(() => new GatewayStack(Testing.app(), staging, broken)).toThrow('alert GeminiGatewayX: for: must be a Prometheus duration');
    const duplicated = { alertPolicies: [OBSERVABILITY_FIXTURE.alertPolicies[0], OBSERVABILITY_FIXTURE.alertPolicies[0]], dashboards: [] } as typeof OBSERVABILITY_FIXTURE;
    expect(() => new GatewayStack(Testing.app(), staging, duplicated)).toThrow('alert names must be unique: GeminiGatewayHighErrorRate');
  });
});

describe("each environment's own alert policies follow its SLO and its scaling", () => {
  const query = (envName: 'dev' | 'prod', alert: string) => {
    const env = environment(envName);
    const s = synth(env, observabilityDefinitions(env));
    return get(s.one('google_monitoring_alert_policy', `/alert-policies/${alert}`), 'conditions', 0, 'condition_prometheus_query_language', 'query');
  };

  test("the burn alerts use the environment's objective and period, as its Cloud Monitoring SLO does", () => {
    // dev: 99% over 28 days, so the 1h page fires at 13.44 × 1%; prod: 99.9% over 28 days.
    expect(query('dev', 'GatewayAvailabilityBudgetBurn1h5m')).toContain('> (13.44 * 0.01)');
    expect(query('prod', 'GatewayAvailabilityBudgetBurn1h5m')).toContain('> (13.44 * 0.001)');
  });

  test('dev scales to zero, so no scrape target there is not an outage; prod keeps instances, so it is', () => {
    expect(query('dev', 'GatewayDown')).not.toContain('absent(');
    expect(query('prod', 'GatewayDown')).toContain('absent(up{job="gemini-gateway"})');
  });
});

describe("each environment's dashboards draw the SLO its alert policies page on", () => {
  type Tile = { widget: { title: string; xyChart?: { thresholds: Array<{ value: number }> }; scorecard?: { timeSeriesQuery: { prometheusQuery: string } }; text?: { content: string } } };
  const overview = (env: ReturnType<typeof environment>) => {
    const dashboard = observabilityDefinitions(env).dashboards.find((d) => d.name === 'gemini-gateway-overview')?.dashboard as unknown as { mosaicLayout: { tiles: Tile[] } };
    const tile = (title: string): Tile['widget'] => dashboard.mosaicLayout.tiles.find((t) => t.widget.title === title)!.widget;
    return {
      budgetLine: tile('Server error ratio (5xx)').xyChart!.thresholds[0]!.value,
      pageBurn: tile('Availability burn rate').xyChart!.thresholds[0]!.value,
      budgetLeft: tile('Availability error budget left').scorecard!.timeSeriesQuery.prometheusQuery,
      availabilityTitle: dashboard.mosaicLayout.tiles.some((t) => t.widget.title === 'Availability, last 28d'),
      runbooks: tile('Runbooks').text!.content,
    };
  };

  test("the error budget, period and page threshold are the environment's (dev 99% and prod 99.9%, over 28 days)", () => {
    const dev = overview(environment('dev'));
    expect(dev).toMatchObject({ budgetLine: 0.01, pageBurn: 13.44, availabilityTitle: true });
    expect(dev.budgetLeft).toContain('[28d]');
    expect(dev.budgetLeft).toMatch(/\) \/ 0\.01$/);
    const prod = overview(environment('prod'));
    expect(prod).toMatchObject({ budgetLine: 0.001, pageBurn: 13.44, availabilityTitle: true });
    expect(prod.budgetLeft).toMatch(/\) \/ 0\.001$/);
  });

  test("their runbook links are the environment's, as its alert policies' are", () => {
    const own = parseEnvironment({ ...environment('staging'), runbookBaseUrl: 'https://runbooks.example.com/gateway' });
    expect(overview(own).runbooks).toContain('(https://runbooks.example.com/gateway/GatewayAvailabilityBudgetBurn.md)');
  });
});

describe("an environment's runbooks", () => {
  const links = (env: ReturnType<typeof environment>): string[] =>
    synth(env, observabilityDefinitions(env))
      .ofType('google_monitoring_alert_policy')
      .filter((policy) => policy.path.includes('/alert-policies/'))
      .map((policy) => (get(policy.body, 'documentation', 'links') as Array<{ url: string }>)[0]!.url);

  test('every alert policy links <runbookBaseUrl>/<AlertName>.md, a trailing slash or not', () => {
    const own = parseEnvironment({ ...environment('staging'), runbookBaseUrl: 'https://runbooks.example.com/gateway/' });
    const urls = links(own);
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls) expect(url).toMatch(/^https:\/\/runbooks\.example\.com\/gateway\/(Gateway|Gemini)[A-Za-z]+\.md$/);
  });

  test("without one, the repository's own runbooks; a runbook URL that is not https is refused", () => {
    for (const url of links(environment('staging'))) expect(url.startsWith(`${DEFAULT_RUNBOOK_BASE_URL}/`)).toBe(true);
    expect(() => parseEnvironment({ ...environment('staging'), runbookBaseUrl: 'http://wiki.internal/runbooks' })).toThrow(/runbookBaseUrl/);
  });
});
