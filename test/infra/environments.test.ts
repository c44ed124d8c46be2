/**
 * The environments as data: the committed ones are valid and differ where intended, and every rule of the
 * schema rejects a bad environment with a message that names the field.
 */
import { EnvironmentError, parseEnvironment, parseEnvironments, type EnvironmentInput } from '../../infra/environment-schema';
import { ENVIRONMENTS, environment } from '../../infra/environments';

const base = (): EnvironmentInput => ({ ...environment('dev') });

describe('the committed environments', () => {
  test('are dev, staging and prod, each in its own project with its own state bucket', () => {
    expect(ENVIRONMENTS.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(new Set(ENVIRONMENTS.map((e) => e.project)).size).toBe(3);
    expect(new Set(ENVIRONMENTS.map((e) => e.stateBucket)).size).toBe(3);
  });

  test('fill defaults in one place: Cloud Run, internal ingress behind a load balancer, nothing public', () => {
    for (const env of ENVIRONMENTS) {
      expect(env.platform).toBe('cloud-run');
      expect(env.ingress).toBe('internal-and-load-balancer');
      expect(env.public).toBe(false);
    }
    expect(environment('prod').vertex.location).toBe('global');
  });

  test('grow in robustness towards prod', () => {
    const [dev, staging, prod] = ENVIRONMENTS.map((e) => e);
    expect(dev?.upstream).toBe('ai-studio');
    expect([staging?.upstream, prod?.upstream]).toEqual(['vertex', 'vertex']);
    expect(dev?.scaling.minInstances).toBe(0);
    expect(prod?.scaling.minInstances).toBeGreaterThanOrEqual(2);
    expect([dev?.redis.tier, staging?.redis.tier, prod?.redis.tier]).toEqual(['BASIC', 'STANDARD_HA', 'STANDARD_HA']);
    expect(prod?.deletionProtection).toBe(true);
    expect(prod?.availabilityObjective).toBeGreaterThan(dev?.availabilityObjective ?? 1);
  });
});

describe('the schema rejects, naming the field', () => {
  test.each<[string, (e: EnvironmentInput) => EnvironmentInput, RegExp]>([
    ['a malformed project id', (e) => ({ ...e, project: 'My_Project' }), /dev\.project: must be a Google Cloud project id/],
    ['more minimum than maximum instances', (e) => ({ ...e, scaling: { minInstances: 5, maxInstances: 2 } }), /dev\.scaling\.minInstances: minInstances must not exceed maxInstances/],
    ['GKE without its settings', (e) => ({ ...e, upstream: 'vertex', platform: 'gke' }), /dev\.gke: platform "gke" needs a `gke` block/],
    ['AI Studio on GKE', (e) => ({ ...e, platform: 'gke', gke: {} }), /dev\.upstream: ai-studio on GKE is not supported/],
    ['load-balancer ingress without a domain', (e) => ({ ...e, loadBalancer: undefined }), /dev\.loadBalancer: ingress "internal-and-load-balancer" needs loadBalancer\.domain/],
    ['a Vertex endpoint without the Vertex upstream', (e) => ({ ...e, vertex: { endpoint: { id: '1', displayName: 'x', models: ['m'] } } }), /dev\.vertex\.endpoint: a Vertex AI endpoint is only used with upstream "vertex"/],
    ['allUsers as an invoker', (e) => ({ ...e, invokers: ['allUsers'] }), /dev\.invokers\.0: must be an IAM principal/],
    ['a public gateway with invokers', (e) => ({ ...e, public: true }), /dev\.invokers: a public gateway needs no invokers/],
    ['a canary of another service', (e) => ({ ...e, release: { tag: '0.2.0', stableRevision: 'other-0-1-0' } }), /dev\.release\.stableRevision: must be a revision of this environment's service/],
    ['labels the infrastructure sets', (e) => ({ ...e, labels: { env: 'x' } }), /dev\.labels: labels env are set by the infrastructure itself/],
    ['an invalid label value', (e) => ({ ...e, labels: { team: 'Platform Team' } }), /dev\.labels\.team: label values are up to 63 lowercase/],
    ['descending budget thresholds', (e) => ({ ...e, budget: { amount: 10, thresholds: [0.9, 0.5] } }), /dev\.budget\.thresholds: thresholds must be strictly ascending/],
    ['no callers', (e) => ({ ...e, callers: [] }), /dev\.callers: name at least one caller with a team key/],
    ['a caller without a key', (e) => ({ ...e, callers: [{ id: 'team-a', identities: ['alice@example.com'] }] }), /dev\.callers\.0\.keySha256: caller team-a has no key/],
    ['a key given instead of its hash', (e) => ({ ...e, callers: [{ id: 'team-a', keySha256: ['team-a-secret-key'] }] }), /dev\.callers\.0\.keySha256\.0: must be the hex SHA-256 of the key/],
    ['two callers with one id', (e) => ({ ...e, callers: [{ id: 'team-a', keySha256: ['a'.repeat(64)] }, { id: 'team-a', keySha256: ['b'.repeat(64)] }] }), /dev\.callers\.1\.id: caller id team-a appears twice/],
    ['a subnet that is not a CIDR range', (e) => ({ ...e, network: { kind: 'create', subnetCidr: '10.0.0.0' } }), /dev\.network\.subnetCidr: must be an IPv4 range/],
  ])('%s', (_what, change, message) => {
    expect(() => parseEnvironment(change(base()))).toThrow(message);
  });

  test('a prod without a warm instance, a critical channel or deletion protection, all at once', () => {
    const prod: EnvironmentInput = { ...environment('prod'), scaling: { minInstances: 0 }, notificationChannels: [], deletionProtection: false };
    const error = (() => {
      try {
        parseEnvironment(prod);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a rejection');
    })();
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('prod.scaling.minInstances: prod keeps at least one warm instance');
    expect(error.message).toContain('prod.notificationChannels: prod needs a channel that receives critical alerts');
    expect(error.message).toContain('prod.deletionProtection: prod keeps deletion protection on');
  });

  test('two environments sharing a state bucket', () => {
    expect(() => parseEnvironments([base(), { ...environment('staging'), stateBucket: environment('dev').stateBucket }])).toThrow(
      'staging and dev share the same state bucket (example-gemini-gw-dev-tfstate)',
    );
  });
});
