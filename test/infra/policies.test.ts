/**
 * Policies over the synthesized JSON of every environment and scenario (alert fixtures included): the
 * rules a reviewer would otherwise check by hand, on every change.
 */
import { SCENARIOS, OBSERVABILITY_FIXTURE } from './scenarios';
import { synth, type Json, type Resource, type Synthesized } from './synth';

const PRIMITIVE_ROLE = /^roles\/(owner|editor|viewer)$/;
const PUBLIC_MEMBER = /^(allUsers|allAuthenticatedUsers)$/;
/** Every role granted on the whole project, and to whom (by service account id or Google service agent). */
const PROJECT_ROLES_ALLOWED: Record<string, RegExp> = {
  'roles/logging.logWriter': /identity_(runtime|rotator)_[0-9A-F]{8}\.member\}$/,
  'roles/monitoring.metricWriter': /identity_runtime_[0-9A-F]{8}\.member\}$/,
  'roles/cloudtrace.agent': /identity_runtime_[0-9A-F]{8}\.member\}$/,
  'roles/telemetry.tracesWriter': /identity_runtime_[0-9A-F]{8}\.member\}$/,
  'roles/aiplatform.user': /identity_runtime_[0-9A-F]{8}\.member\}$/,
  'roles/serviceusage.apiKeysAdmin': /identity_rotator_[0-9A-F]{8}\.member\}$/,
  'roles/monitoring.viewer': /\/sa\/custom-metrics-stackdriver-adapter$/,
};
/** Resource types whose label map is called differently. */
const LABEL_FIELDS = [
  ['userLabels', 'user_labels'],
  ['resourceLabels', 'resource_labels'],
  ['labels', 'labels'],
] as const;
const REQUIRED_LABELS = ['app', 'env', 'managed-by'];

const iamResources = (s: Synthesized): Resource[] => s.resources.filter((r) => /_iam_(member|binding|policy)$/.test(r.type));
const membersOf = (r: Resource): string[] => [r.body.member, ...((r.body.members as string[] | undefined) ?? [])].filter((m): m is string => typeof m === 'string');

describe.each(Object.entries(SCENARIOS))('%s', (_name, env) => {
  const s = synth(env, OBSERVABILITY_FIXTURE);

  test('grants no primitive role (owner, editor, viewer) anywhere', () => {
    const roles = iamResources(s).map((r) => r.body.role);
    expect(roles.length).toBeGreaterThan(5);
    expect(roles.filter((role) => typeof role === 'string' && PRIMITIVE_ROLE.test(role))).toEqual([]);
    expect(s.ofType('google_project_iam_binding')).toEqual([]);
    expect(s.ofType('google_project_iam_policy')).toEqual([]);
  });

  test('grants project-wide only the allow-listed roles, each to its own principal', () => {
    for (const grant of s.ofType('google_project_iam_member')) {
      const role = grant.body.role as string;
      expect(Object.keys(PROJECT_ROLES_ALLOWED)).toContain(role);
      expect(grant.body.member).toMatch(PROJECT_ROLES_ALLOWED[role] as RegExp);
    }
  });

  test(`lets ${env.public ? 'everyone' : 'nobody'} in anonymously`, () => {
    const publicGrants = iamResources(s).filter((r) => membersOf(r).some((m) => PUBLIC_MEMBER.test(m)));
    if (env.public) expect(publicGrants.map((r) => [r.path, r.body.role])).toEqual([[`${env.name}/gateway/invoker-0`, 'roles/run.invoker']]);
    else expect(publicGrants).toEqual([]);
  });

  test('grants secret access per secret, to the identity that uses it, and never project-wide', () => {
    const grants = s.ofType('google_secret_manager_secret_iam_member');
    const secretsInStack = new Set(s.ofType('google_secret_manager_secret').map((r) => `\${google_secret_manager_secret.${r.name}.secret_id}`));
    for (const grant of grants) {
      expect(secretsInStack).toContain(grant.body.secret_id);
      expect(grant.body.member).toMatch(/identity_(runtime|rotator)_[0-9A-F]{8}\.member\}$/);
    }
    const accessorsBySecret = grants
      .filter((g) => g.body.role === 'roles/secretmanager.secretAccessor')
      .map((g) => [secretName(s, g.body.secret_id as string), (g.body.member as string).includes('identity_rotator') ? 'rotator' : 'runtime'])
      .sort();
    const expected = [
      ['gemini-gw-audit-hmac-key', 'runtime'],
      ['gemini-gw-redis-ca', 'runtime'],
      ['gemini-gw-redis-url', 'runtime'],
      ...(env.platform === 'cloud-run' ? [['gemini-gw-metrics-sidecar-config', 'runtime']] : []),
      ...(env.upstream === 'ai-studio' ? [['gemini-gw-gemini-api-key', 'rotator'], ['gemini-gw-gemini-api-key', 'runtime']] : []),
    ].sort();
    expect(accessorsBySecret).toEqual(expected);
    expect(iamResources(s).filter((r) => r.type !== 'google_secret_manager_secret_iam_member' && String(r.body.role).startsWith('roles/secretmanager.'))).toEqual([]);
  });

  test('creates no key material: no service account keys, no API keys in Terraform state', () => {
    expect(s.ofType('google_service_account_key')).toEqual([]);
    expect(s.ofType('google_apikeys_key')).toEqual([]);
  });

  test('labels every resource that supports labels with app, env and managed-by', async () => {
    const unlabelled: string[] = [];
    for (const resource of s.resources) {
      const field = await labelFieldOf(resource.type);
      if (field === undefined) continue;
      const labels = (resource.body[field] ?? {}) as Json;
      if (!REQUIRED_LABELS.every((key) => typeof labels[key] === 'string')) unlabelled.push(`${resource.type} ${resource.path}`);
      else expect(labels).toMatchObject({ app: 'gemini-gateway', env: env.name, 'managed-by': 'cdktf' });
    }
    expect(unlabelled).toEqual([]);
  });

  test(env.upstream === 'ai-studio' ? 'rotates the key secret, announced on its topic' : 'has no API key to rotate', () => {
    const keySecrets = s.ofType('google_secret_manager_secret').filter((r) => r.body.secret_id === 'gemini-gw-gemini-api-key');
    if (env.upstream !== 'ai-studio') return expect(keySecrets).toEqual([]);
    expect(keySecrets).toHaveLength(1);
    expect(keySecrets[0]?.body).toMatchObject({
      rotation: { rotation_period: expect.stringMatching(/^\d+s$/), next_rotation_time: expect.any(String) },
      topics: [expect.objectContaining({ name: expect.any(String) })],
      lifecycle: { ignore_changes: ['rotation[0].next_rotation_time'] },
    });
  });

  test('keeps Redis behind AUTH and TLS', () => {
    expect(s.one('google_redis_instance')).toMatchObject({ auth_enabled: true, transit_encryption_mode: 'SERVER_AUTHENTICATION' });
  });

  test('opens no Cloud Run service to all traffic unless the environment says so', () => {
    const open = s.ofType('google_cloud_run_v2_service').filter((r) => r.body.ingress === 'INGRESS_TRAFFIC_ALL');
    expect(open.map((r) => r.path)).toEqual(env.ingress === 'all' && env.platform === 'cloud-run' ? [`${env.name}/gateway/service`] : []);
  });

  if (env.name === 'prod') {
    test('prod keeps warm instances, protects its data, and pages someone', () => {
      const gateway = s.one('google_cloud_run_v2_service', '/gateway/service');
      expect(((gateway.template as Json).scaling as Json).min_instance_count).toBeGreaterThanOrEqual(1);
      for (const resource of [...s.ofType('google_cloud_run_v2_service'), ...s.ofType('google_container_cluster')]) expect(resource.body.deletion_protection).toBe(true);
      const policies = s.ofType('google_monitoring_alert_policy').filter((p) => p.body.severity === 'CRITICAL');
      expect(policies.length).toBeGreaterThan(0);
      for (const policy of policies) expect((policy.body.notification_channels as string[]).length).toBeGreaterThan(0);
      expect((s.one('google_billing_budget').all_updates_rule as Json).monitoring_notification_channels).toEqual(expect.arrayContaining([expect.any(String)]));
    });
  }
});

function secretName(s: Synthesized, reference: string): string {
  const logical = /google_secret_manager_secret\.([^.]+)\.secret_id/.exec(reference)?.[1];
  return s.ofType('google_secret_manager_secret').find((r) => r.name === logical)?.body.secret_id as string;
}

/** The synthesized name of a resource type's label map, read from its binding class (undefined: it has none). */
async function labelFieldOf(type: string): Promise<string | undefined> {
  if (!type.startsWith('google_')) return undefined;
  const module = (await import(`@cdktf/provider-google/lib/${type.slice('google_'.length).replace(/_/g, '-')}`)) as Record<string, unknown>;
  const binding = Object.values(module).find((v): v is { prototype: object; tfResourceType: string } => typeof v === 'function' && (v as { tfResourceType?: string }).tfResourceType === type);
  if (binding === undefined) throw new Error(`No binding class for ${type}`);
  return LABEL_FIELDS.find(([property]) => Object.getOwnPropertyDescriptor(binding.prototype, property)?.get !== undefined)?.[1];
}
