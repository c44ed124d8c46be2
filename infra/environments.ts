/**
 * The environments, as data: every difference between dev, staging and prod lives here and nowhere else.
 * The shape, defaults and rules are in `environment-schema.ts`. Project ids, domains, addresses and the
 * billing account below are placeholders: replace them with yours before the first deploy.
 *
 * Promotion is a change to this file: `release.tag` moves dev → staging → prod; setting
 * `release.stableRevision` to the revision that serves now starts a canary, removing it promotes
 * (see infra/README.md).
 */
import { parseEnvironments, type Environment, type EnvironmentInput, type EnvironmentName } from './environment-schema';

const BILLING_ACCOUNT = '012345-6789AB-CDEF01';

/**
 * Placeholder key hashes: no key is known to hash to them, so nobody can call until each is replaced by the
 * SHA-256 of a real team key (`printf %s "$KEY" | sha256sum`; see "Callers" in infra/README.md).
 */
const placeholderKeyHash = (n: number): string => n.toString(16).padStart(64, '0');

const dev: EnvironmentInput = {
  name: 'dev',
  project: 'example-gemini-gw-dev',
  region: 'europe-west1',
  stateBucket: 'example-gemini-gw-dev-tfstate',
  billingAccount: BILLING_ACCOUNT,
  release: { tag: '0.1.0' },
  // dev exercises the AI Studio path end to end: a bound API key in Secret Manager, rotated by the job.
  upstream: 'ai-studio',
  rotation: { periodDays: 7, graceMinutes: 30 },
  scaling: { minInstances: 0, maxInstances: 3 },
  loadBalancer: { domain: 'gemini.dev.example.com' },
  invokers: ['group:gemini-gateway-developers@example.com'],
  callers: [{ id: 'platform-team', keySha256: [placeholderKeyHash(1)], rpm: 60, budget: { usd: 20, period: 'day' } }],
  network: { kind: 'create', subnetCidr: '10.40.0.0/24' },
  redis: { tier: 'BASIC', memorySizeGb: 1 },
  notificationChannels: [{ kind: 'email', name: 'platform-team', address: 'platform-team@example.com', receives: ['critical', 'budget'] }],
  budget: { amount: 200 },
  availabilityObjective: 0.99,
  deletionProtection: false,
  logLevel: 'debug',
  labels: { team: 'platform', 'cost-center': 'cc-1234' },
};

const staging: EnvironmentInput = {
  name: 'staging',
  project: 'example-gemini-gw-staging',
  region: 'europe-west1',
  stateBucket: 'example-gemini-gw-staging-tfstate',
  billingAccount: BILLING_ACCOUNT,
  release: { tag: '0.1.0', canaryPercent: 50 },
  upstream: 'vertex',
  vertex: { location: 'global' },
  scaling: { minInstances: 1, maxInstances: 10, cpu: '2', memory: '2Gi' },
  loadBalancer: { domain: 'gemini.staging.example.com' },
  invokers: ['group:gemini-gateway-developers@example.com', 'serviceAccount:load-test@example-gemini-gw-staging.iam.gserviceaccount.com'],
  callers: [
    { id: 'platform-team', keySha256: [placeholderKeyHash(2)], rpm: 60, budget: { usd: 50, period: 'day' } },
    { id: 'load-test', keySha256: [placeholderKeyHash(3)], rpm: 6000, budget: { usd: 200, period: 'day' }, cache: 'off' },
  ],
  network: { kind: 'create', subnetCidr: '10.41.0.0/24' },
  redis: { tier: 'STANDARD_HA', memorySizeGb: 1 },
  notificationChannels: [{ kind: 'email', name: 'platform-team', address: 'platform-team@example.com', receives: ['critical', 'warning', 'budget'] }],
  budget: { amount: 1000 },
  availabilityObjective: 0.995,
  deletionProtection: false,
  labels: { team: 'platform', 'cost-center': 'cc-1234' },
};

const prod: EnvironmentInput = {
  name: 'prod',
  project: 'example-gemini-gw-prod',
  region: 'europe-west1',
  stateBucket: 'example-gemini-gw-prod-tfstate',
  billingAccount: BILLING_ACCOUNT,
  release: { tag: '0.1.0', canaryPercent: 10 },
  upstream: 'vertex',
  vertex: { location: 'global' },
  scaling: { minInstances: 2, maxInstances: 50, concurrency: 100, cpu: '2', memory: '2Gi', requestTimeoutSeconds: 1800 },
  loadBalancer: { domain: 'gemini.example.com' },
  invokers: ['group:gemini-gateway-callers@example.com'],
  callers: [
    { id: 'search-team', keySha256: [placeholderKeyHash(4)], rpm: 600, tpm: 2_000_000, budget: { usd: 200, period: 'day' }, cache: 'shared' },
    { id: 'support-bot', keySha256: [placeholderKeyHash(5)], models: ['fast', 'balanced'], budget: { usd: 1500, period: 'month' } },
  ],
  network: { kind: 'create', subnetCidr: '10.42.0.0/24' },
  redis: { tier: 'STANDARD_HA', memorySizeGb: 5 },
  notificationChannels: [
    { kind: 'existing', name: 'pagerduty', id: 'projects/example-gemini-gw-prod/notificationChannels/1234567890', receives: ['critical'] },
    { kind: 'email', name: 'platform-team', address: 'platform-team@example.com', receives: ['warning', 'budget'] },
    { kind: 'email', name: 'finance', address: 'cloud-finance@example.com', receives: ['budget'] },
  ],
  budget: { amount: 20000, thresholds: [0.5, 0.75, 0.9, 1] },
  availabilityObjective: 0.999,
  deletionProtection: true,
  labels: { team: 'platform', 'cost-center': 'cc-1234' },
};

export const ENVIRONMENTS: readonly Environment[] = parseEnvironments([dev, staging, prod]);

export function environment(name: EnvironmentName): Environment {
  const found = ENVIRONMENTS.find((e) => e.name === name);
  if (found === undefined) throw new Error(`No environment named ${name}`);
  return found;
}
