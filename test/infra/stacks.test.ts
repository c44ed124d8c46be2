/**
 * Each environment's synthesized stack: the resources exist with the properties the environment asks for.
 * Property names are the synthesized (snake_case) ones; nested objects are compared whole or with
 * `objectContaining` at each level (the cdktf matchers only match the top level partially).
 */
import { DEFAULT_JOB, runbookUrl } from '../../alerts';
import { SETTINGS } from '../../service/config/settings';
import { ROTATION_JOB_SETTINGS } from '../../service/jobs/config';
import { ROTATION_JOB_ROUTES } from '../../service/jobs/routes';
import { METRICS_SIDECAR_IMAGE, runMonitoringConfig } from '../../infra/constructs/cloud-run-gateway';
import { API_KEY_PLACEHOLDER } from '../../infra/constructs/api-key-secret';
import { ENVIRONMENTS, environment } from '../../infra/environments';
import { UPSTREAM_DEADLINE_MARGIN_MS } from '../../infra/gateway-runtime';
import { get, synth, type Json } from './synth';

const envOf = (containers: unknown, name: string): Json[] => (get(containers, 0, 'env') as Json[]).filter((e) => e.name === name);
const valueOf = (containers: unknown, name: string): unknown => envOf(containers, name)[0]?.value;

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (_name, env) => {
  const s = synth(env);
  const gateway = () => s.one('google_cloud_run_v2_service', '/gateway/service');
  const containers = () => get(gateway(), 'template', 'containers') as Json[];

  test('keeps its state in its own GCS bucket and pins the provider unambiguously', () => {
    expect(get(s.json, 'terraform', 'backend', 'gcs')).toEqual({ bucket: env.stateBucket, prefix: `gemini-gateway/${env.name}` });
    expect(get(s.json, 'terraform', 'required_providers', 'google')).toEqual({ source: 'hashicorp/google', version: '6.50.0' });
    expect(get(s.json, 'provider', 'google', 0)).toEqual({ project: env.project, region: env.region, billing_project: env.project, user_project_override: true });
  });

  test('runs the gateway image of its release from its own registry, with its scaling', () => {
    expect(s.one('google_artifact_registry_repository')).toMatchObject({ format: 'DOCKER', location: env.region, docker_config: { immutable_tags: true } });
    // infra/README.md's first deploy applies the registry alone, by this address.
    expect(s.ofType('google_artifact_registry_repository').map((r) => r.name)).toEqual(['registry_repository_BAFE171E']);
    expect(containers()[0]?.image).toBe(`${env.region}-docker.pkg.dev/${env.project}/gemini-gw/gateway:${env.release.tag}`);
    expect(gateway()).toMatchObject({
      ingress: 'INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER',
      deletion_protection: env.deletionProtection,
      custom_audiences: [`https://${env.loadBalancer?.domain}`],
      template: expect.objectContaining({
        scaling: { min_instance_count: env.scaling.minInstances, max_instance_count: env.scaling.maxInstances },
        max_instance_request_concurrency: env.scaling.concurrency,
        timeout: `${env.scaling.requestTimeoutSeconds}s`,
        execution_environment: 'EXECUTION_ENVIRONMENT_GEN2',
        revision: expect.stringMatching(new RegExp(`^gemini-gw-${env.release.tag.replace(/\./g, '-')}-[0-9a-f]{6}$`)),
      }),
    });
    expect(containers()[0]?.resources).toEqual({ limits: { cpu: env.scaling.cpu, memory: env.scaling.memory }, cpu_idle: false, startup_cpu_boost: true });
    expect(get(gateway(), 'traffic')).toEqual([{ type: 'TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST', percent: 100 }]);
  });

  test('probes /healthz for start-up and liveness', () => {
    expect(containers()[0]).toMatchObject({
      startup_probe: { http_get: { path: '/healthz', port: 8080 }, period_seconds: 2, failure_threshold: 30, timeout_seconds: 1 },
      liveness_probe: { http_get: { path: '/healthz', port: 8080 }, period_seconds: 15, failure_threshold: 3, timeout_seconds: 3 },
    });
  });

  test('tells the gateway its settings by the names settings.ts defines, and never sets PORT (Cloud Run does)', () => {
    expect(valueOf(containers(), SETTINGS.upstream.env)).toBe(env.upstream);
    expect(valueOf(containers(), SETTINGS.logLevel.env)).toBe(env.logLevel);
    expect(valueOf(containers(), SETTINGS.drainSeconds.env)).toBe('8');
    // Cloud Run's own request log has every request; the gateway's access lines there are the failures only.
    expect(valueOf(containers(), SETTINGS.accessLog.env)).toBe('failures');
    // Each call and the whole request (retries and fallbacks included) end 5 s before Cloud Run cuts the request.
    expect(valueOf(containers(), SETTINGS.upstreamTimeoutMs.env)).toBe(String(env.scaling.requestTimeoutSeconds * 1000 - UPSTREAM_DEADLINE_MARGIN_MS));
    expect(valueOf(containers(), SETTINGS.requestTimeoutMs.env)).toBe(String(env.scaling.requestTimeoutSeconds * 1000 - UPSTREAM_DEADLINE_MARGIN_MS));
    expect(envOf(containers(), SETTINGS.port.env)).toEqual([]);
    expect(envOf(containers(), SETTINGS.redisUrl.env)).toEqual([{ name: 'REDIS_URL', value_source: { secret_key_ref: { secret: 'gemini-gw-redis-url', version: 'latest' } } }]);
    expect(valueOf(containers(), SETTINGS.redisCaFile.env)).toBe('/secrets/redis-ca/ca.pem');
    // Sampled traces go to the environment's own Cloud Trace, whatever the upstream.
    expect(valueOf(containers(), SETTINGS.tracesExporter.env)).toBe('cloud-trace');
    expect(valueOf(containers(), SETTINGS.project.env)).toBe(env.project);
    if (env.upstream === 'vertex') {
      expect(valueOf(containers(), SETTINGS.location.env)).toBe(env.vertex.location);
      expect(envOf(containers(), SETTINGS.apiKeyFile.env)).toEqual([]);
    } else {
      expect(valueOf(containers(), SETTINGS.apiKeyFile.env)).toBe('/secrets/gemini-api-key/key');
      expect(envOf(containers(), SETTINGS.location.env)).toEqual([]);
    }
  });

  test('mounts its secrets as files at their latest version', () => {
    const volumes = get(gateway(), 'template', 'volumes') as Json[];
    const expected = [
      { name: 'redis-ca', secret: { secret: 'gemini-gw-redis-ca', items: [{ version: 'latest', path: 'ca.pem' }] } },
      { name: 'audit-hmac-key', secret: { secret: 'gemini-gw-audit-hmac-key', items: [{ version: 'latest', path: 'key' }] } },
    ];
    if (env.upstream === 'ai-studio') expected.push({ name: 'gemini-api-key', secret: { secret: 'gemini-gw-gemini-api-key', items: [{ version: 'latest', path: 'key' }] } });
    expect(volumes.filter((v) => v.name !== 'metrics-config')).toEqual(expected);
    expect(containers()[0]?.volume_mounts).toEqual(expected.map((v) => ({ name: v.name, mount_path: `/secrets/${v.name}` })));
  });

  test('generates the audit HMAC key once, at the first apply, and never replaces it', () => {
    const version = s.one('google_secret_manager_secret_version', '/audit-hmac-key/value');
    expect(version).toMatchObject({ secret_data: '${join("", [uuid(), uuid()])}', lifecycle: { ignore_changes: ['secret_data'] } });
  });

  test('reaches Redis through Direct VPC egress on its own subnet', () => {
    expect(get(gateway(), 'template', 'vpc_access')).toEqual({
      egress: 'PRIVATE_RANGES_ONLY',
      network_interfaces: [{ network: expect.stringContaining('google_compute_network.'), subnetwork: expect.stringContaining('google_compute_subnetwork.') }],
    });
    expect(s.one('google_compute_subnetwork')).toMatchObject({ ip_cidr_range: env.network.kind === 'create' ? env.network.subnetCidr : '', private_ip_google_access: true });
  });

  test('runs the managed-Prometheus sidecar against /metrics, after the gateway starts', () => {
    expect(containers()[1]).toEqual({
      name: 'metrics-sidecar',
      image: METRICS_SIDECAR_IMAGE,
      depends_on: ['gateway'],
      resources: { limits: { cpu: '1', memory: '512Mi' } },
      volume_mounts: [{ name: 'metrics-config', mount_path: '/etc/rungmp' }],
    });
    const config = s.one('google_secret_manager_secret_version', '/gateway/metrics-config/value');
    expect(JSON.parse(config.secret_data as string)).toEqual(runMonitoringConfig());
    expect(runMonitoringConfig()).toMatchObject({ metadata: { name: DEFAULT_JOB }, spec: { endpoints: [{ port: 8080, path: '/metrics' }] } });
  });

  test('lets exactly the named principals invoke the gateway, and the uptime checker', () => {
    const members = s
      .ofType('google_cloud_run_v2_service_iam_member')
      .filter((r) => r.path.startsWith(`${env.name}/gateway/`))
      .map((r) => r.body.member);
    expect(members).toEqual([...env.invokers, expect.stringMatching(/^serviceAccount:service-\$\{.+\}@gcp-sa-monitoring-notification\.iam\.gserviceaccount\.com$/)]);
  });

  test('has Memorystore Redis with AUTH and in-transit encryption on its VPC, sized for the environment', () => {
    expect(s.one('google_redis_instance')).toMatchObject({
      tier: env.redis.tier,
      memory_size_gb: env.redis.memorySizeGb,
      redis_version: env.redis.version,
      auth_enabled: true,
      transit_encryption_mode: 'SERVER_AUTHENTICATION',
      connect_mode: 'DIRECT_PEERING',
      authorized_network: expect.stringContaining('google_compute_network.'),
      // Budgets survive a restart (hourly snapshots) and are evicted after answers and windows, never before.
      persistence_config: { persistence_mode: 'RDB', rdb_snapshot_period: 'ONE_HOUR' },
      redis_configs: { 'maxmemory-policy': 'volatile-ttl' },
    });
    expect(s.one('google_secret_manager_secret_version', '/redis/url/value').secret_data).toMatch(/^rediss:\/\/:\$\{urlencode\(google_redis_instance\..+\.auth_string\)\}@\$\{google_redis_instance\..+\.host\}:\$\{google_redis_instance\..+\.port\}$/);
  });

  test('alerts the uptime check of its public domain and keeps an availability SLO', () => {
    expect(s.one('google_monitoring_uptime_check_config')).toMatchObject({
      monitored_resource: { type: 'uptime_url', labels: { project_id: env.project, host: env.loadBalancer?.domain } },
      http_check: { path: '/healthz', port: 443, use_ssl: true, validate_ssl: true, service_agent_authentication: { type: 'OIDC_TOKEN' } },
    });
    expect(s.one('google_monitoring_slo')).toMatchObject({
      goal: env.availabilityObjective,
      rolling_period_days: env.sloPeriodDays,
      request_based_sli: {
        good_total_ratio: {
          total_service_filter: 'metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.label.service_name="gemini-gw"',
          bad_service_filter: expect.stringContaining('metric.label.response_code_class="5xx"'),
        },
      },
    });
    const uptimeAlert = s.one('google_monitoring_alert_policy', '/uptime-failing');
    expect(uptimeAlert).toMatchObject({ severity: 'CRITICAL', combiner: 'OR' });
    // It pages like any critical alert, so it links a runbook too: the gateway-down one.
    expect(get(uptimeAlert, 'documentation', 'links')).toEqual([{ display_name: 'Runbook', url: runbookUrl('GatewayDown', env.runbookBaseUrl) }]);
    expect((uptimeAlert.notification_channels as string[]).length).toBe(env.notificationChannels.filter((c) => c.receives.includes('critical')).length);
  });

  test('watches its budget with its thresholds and the channels that receive budget notices', () => {
    const budget = s.one('google_billing_budget');
    expect(budget).toMatchObject({
      billing_account: env.billingAccount,
      amount: { specified_amount: { currency_code: env.budget.currency, units: String(env.budget.amount) } },
      budget_filter: { projects: [expect.stringMatching(/^projects\/\$\{data\.google_project\.project\.number\}$/)], calendar_period: 'MONTH' },
    });
    expect(budget.threshold_rules).toEqual([
      ...env.budget.thresholds.map((t) => ({ threshold_percent: t, spend_basis: 'CURRENT_SPEND' })),
      { threshold_percent: env.budget.forecastThreshold, spend_basis: 'FORECASTED_SPEND' },
    ]);
    expect((get(budget, 'all_updates_rule', 'monitoring_notification_channels') as string[]).length).toBe(env.notificationChannels.filter((c) => c.receives.includes('budget')).length);
  });

  test('serves HTTPS for its domain through the load balancer to the Cloud Run service', () => {
    expect(s.one('google_compute_managed_ssl_certificate')).toMatchObject({ managed: { domains: [env.loadBalancer?.domain] } });
    expect(s.one('google_compute_region_network_endpoint_group')).toMatchObject({ network_endpoint_type: 'SERVERLESS', cloud_run: { service: expect.stringContaining('google_cloud_run_v2_service.gateway_service') } });
    expect(s.one('google_compute_global_forwarding_rule')).toMatchObject({ port_range: '443', load_balancing_scheme: 'EXTERNAL_MANAGED' });
    expect(s.one('google_compute_backend_service')).not.toHaveProperty('timeout_sec');
  });

  test('outputs the revision it creates, for the next canary', () => {
    expect(get(s.json, 'output', 'serving_revision', 'value')).toBe(get(gateway(), 'template', 'revision'));
  });
});

describe('the AI Studio key and its rotation (dev)', () => {
  const s = synth(environment('dev'));
  const rotator = () => s.one('google_cloud_run_v2_service', '/key-rotator/service');

  test('the key secret announces a rotation every period on its topic, and ignores the time Secret Manager advances', () => {
    expect(s.one('google_secret_manager_secret', '/api-key/secret')).toMatchObject({
      secret_id: 'gemini-gw-gemini-api-key',
      topics: [{ name: expect.stringContaining('google_pubsub_topic.api-key_events') }],
      rotation: { rotation_period: `${7 * 24 * 3600}s`, next_rotation_time: '${timeadd(timestamp(), "15m")}' },
      lifecycle: { ignore_changes: ['rotation[0].next_rotation_time'] },
      depends_on: expect.arrayContaining([expect.stringContaining('google_pubsub_topic_iam_member.api-key_secret-manager-publishes')]),
    });
    expect(s.one('google_pubsub_topic_iam_member')).toMatchObject({ role: 'roles/pubsub.publisher', member: expect.stringMatching(/@gcp-sa-secretmanager\.iam\.gserviceaccount\.com$/) });
  });

  test('Terraform writes only a placeholder, never a key, and leaves its state to the job', () => {
    expect(s.ofType('google_apikeys_key')).toEqual([]);
    expect(s.one('google_secret_manager_secret_version', '/api-key/placeholder')).toMatchObject({ secret_data: API_KEY_PLACEHOLDER, lifecycle: { ignore_changes: ['enabled'] } });
  });

  test('the job runs from the gateway image, alone, internal only, configured by its settings names', () => {
    const container = get(rotator(), 'template', 'containers', 0) as Json;
    expect(rotator()).toMatchObject({ ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY', template: expect.objectContaining({ max_instance_request_concurrency: 1, scaling: { min_instance_count: 0, max_instance_count: 1 } }) });
    expect(container.command).toEqual(['node', 'dist/service/jobs/main.js']);
    expect(container.image).toBe(get(s.one('google_cloud_run_v2_service', '/gateway/service'), 'template', 'containers', 0, 'image'));
    expect(Object.fromEntries((container.env as Json[]).map((e) => [e.name, e.value]))).toEqual({
      [ROTATION_JOB_SETTINGS.secret.env]: expect.stringContaining('google_secret_manager_secret.api-key_secret'),
      [ROTATION_JOB_SETTINGS.keyProject.env]: 'example-gemini-gw-dev',
      [ROTATION_JOB_SETTINGS.boundServiceAccount.env]: expect.stringContaining('google_service_account.identity_runtime'),
      [ROTATION_JOB_SETTINGS.graceSeconds.env]: String(30 * 60),
      [ROTATION_JOB_SETTINGS.logLevel.env]: 'debug',
    });
  });

  test('Pub/Sub pushes only SECRET_ROTATE to the job, as the push identity, and never lets the subscription expire', () => {
    expect(s.one('google_pubsub_subscription')).toMatchObject({
      filter: 'attributes.eventType = "SECRET_ROTATE"',
      ack_deadline_seconds: 600,
      expiration_policy: { ttl: '' },
      retry_policy: { minimum_backoff: '10s', maximum_backoff: '600s' },
      push_config: {
        push_endpoint: expect.stringMatching(new RegExp(`\\.uri\\}${ROTATION_JOB_ROUTES.secretEvents}$`)),
        oidc_token: { service_account_email: expect.stringContaining('identity_rotation-push'), audience: expect.stringContaining('key-rotator_service') },
      },
    });
  });

  test('Cloud Scheduler asks the job to retire old keys on the environment schedule', () => {
    expect(s.one('google_cloud_scheduler_job')).toMatchObject({
      schedule: '*/15 * * * *',
      time_zone: 'Etc/UTC',
      http_target: { http_method: 'POST', uri: expect.stringMatching(new RegExp(`${ROTATION_JOB_ROUTES.retire}$`)), oidc_token: expect.objectContaining({ service_account_email: expect.stringContaining('identity_rotation-push') }) },
    });
  });

  test('only the push identity may invoke the job', () => {
    const members = s
      .ofType('google_cloud_run_v2_service_iam_member')
      .filter((r) => r.path.startsWith('dev/key-rotator/'))
      .map((r) => r.body.member);
    expect(members).toEqual([expect.stringContaining('identity_rotation-push')]);
  });

  test('the gateway waits for the key to be readable before its first revision', () => {
    expect(s.one('google_cloud_run_v2_service', '/gateway/service').depends_on).toEqual(
      expect.arrayContaining([expect.stringContaining('api-key_placeholder'), expect.stringContaining('api-key_gateway-reads')]),
    );
  });
});

describe('Vertex AI (staging and prod)', () => {
  test.each(['staging', 'prod'] as const)('%s: the runtime account may call Gemini on Vertex AI, and no API key exists', (name) => {
    const s = synth(environment(name));
    expect(s.one('google_project_iam_member', '/vertex-ai/runtime-calls-gemini')).toMatchObject({ role: 'roles/aiplatform.user', member: expect.stringContaining('identity_runtime') });
    expect(s.ofType('google_secret_manager_secret').map((r) => r.body.secret_id)).not.toContain('gemini-gw-gemini-api-key');
    expect(s.ofType('google_cloud_scheduler_job')).toEqual([]);
    expect(s.ofType('google_vertex_ai_endpoint')).toEqual([]);
  });
});
