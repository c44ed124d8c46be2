/**
 * What an environment is: the typed shape of `environments.ts`, every default in one place, and the rules
 * that reject a bad combination with a message naming the field. Constructs receive the parsed
 * `Environment` (defaults filled in) and never re-check or re-default anything.
 */
import { z } from 'zod';
import { DEFAULT_RUNBOOK_BASE_URL } from '../alerts';
import { callerSchema, modelId } from '../service/config/policy';

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** Who receives what: alert severities (as the alert definitions name them) and billing-budget mails. */
export const NOTIFICATION_ROUTES = ['critical', 'warning', 'info', 'budget'] as const;
export type NotificationRoute = (typeof NOTIFICATION_ROUTES)[number];

const projectId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Google Cloud project id: 6-30 lowercase letters, digits or hyphens, starting with a letter');
const region = z.string().regex(/^[a-z]+-[a-z]+\d+$/, 'must be a Google Cloud region such as europe-west1');
const labelKey = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'label keys are 1-63 lowercase letters, digits, _ or -, starting with a letter');
const labelValue = z.string().regex(/^[a-z0-9_-]{0,63}$/, 'label values are up to 63 lowercase letters, digits, _ or -');
/** A release tag ends up in revision names and labels, so it must be DNS-label friendly once dots become dashes. */
const releaseTag = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,30}$/, 'must be an image tag of lowercase letters, digits, dots or dashes (at most 31 characters)');
const iamPrincipal = z
  .string()
  .regex(/^(user|group|serviceAccount|domain|principal|principalSet):\S+$/, 'must be an IAM principal such as group:ml-apps@example.com')
  .refine((p) => !/^(allUsers|allAuthenticatedUsers)$/.test(p), 'public access is the `public` flag, not an invoker');

const scalingSchema = z
  .object({
    minInstances: z.number().int().min(0).default(0),
    maxInstances: z.number().int().min(1).max(1000).default(10),
    /** Concurrent requests per instance: streams hold a slot for their whole duration. */
    concurrency: z.number().int().min(1).max(1000).default(80),
    cpu: z.enum(['1', '2', '4', '8']).default('1'),
    memory: z.string().regex(/^\d+(Mi|Gi)$/, 'must be a size such as 512Mi or 2Gi').default('1Gi'),
    /** Long enough for a slow stream: Gemini can think for minutes before the last chunk. */
    requestTimeoutSeconds: z.number().int().min(60).max(3600).default(900),
  })
  .refine((s) => s.minInstances <= s.maxInstances, { message: 'minInstances must not exceed maxInstances', path: ['minInstances'] });

const releaseSchema = z.object({
  /** Image tag deployed as the newest revision (in the environment's Artifact Registry repository). */
  tag: releaseTag,
  /**
   * While set, this revision (the one serving now: `terraform output serving_revision`) keeps
   * `100 - canaryPercent` of the traffic and the new one runs as the `canary` tag. Remove it to promote.
   */
  stableRevision: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a Cloud Run revision name').optional(),
  /** The new revision's share while `stableRevision` is set; 0 rolls back (it stays reachable under its tag only). */
  canaryPercent: z.number().int().min(0).max(50).default(10),
});

const gkeSchema = z.object({
  cluster: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('autopilot'), releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE']).default('REGULAR') }),
      z.object({ kind: z.literal('existing'), name: z.string().min(1), location: z.string().min(1) }),
    ])
    .default({ kind: 'autopilot', releaseChannel: 'REGULAR' }),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name').default('gemini-gateway'),
});

const vertexSchema = z.object({
  /** Vertex AI location the gateway calls: `global` serves the newest Gemini models. */
  location: z.string().min(1).default('global'),
  /** A Vertex AI endpoint for tuned or dedicated models; the gateway routes the listed models to it. */
  endpoint: z
    .object({
      /** Numeric endpoint id, chosen here so the gateway's setting is known before the endpoint exists. */
      id: z.string().regex(/^[1-9]\d{0,9}$/, 'must be a numeric endpoint id of at most 10 digits without a leading zero'),
      displayName: z.string().min(1),
      dedicated: z.boolean().default(true),
      /** The names callers use for its models, validated as the gateway validates them (GATEWAY_VERTEX_ENDPOINT_MODELS). */
      models: z.array(modelId).min(1, 'name at least one model the endpoint serves'),
    })
    .optional(),
});

const rotationSchema = z.object({
  periodDays: z.number().int().min(1).max(365).default(30),
  /** How long the previous key stays valid after a new one is published: gateways re-read the key file about every minute. */
  graceMinutes: z.number().int().min(10).max(7 * 24 * 60).default(60),
  /** When the job looks for keys whose grace has passed (Cloud Scheduler cron, in UTC). */
  retireSchedule: z.string().min(9).default('*/15 * * * *'),
});

const networkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('create'), subnetCidr: z.cidrv4('must be an IPv4 range such as 10.20.0.0/24') }),
  z.object({ kind: z.literal('existing'), network: z.string().min(1), subnetwork: z.string().min(1) }),
]);

const redisSchema = z.object({
  tier: z.enum(['BASIC', 'STANDARD_HA']).default('BASIC'),
  memorySizeGb: z.number().int().min(1).max(300).default(1),
  version: z.enum(['REDIS_7_2', 'REDIS_7_0']).default('REDIS_7_2'),
});

const channelSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('email'), name: z.string().min(1), address: z.email(), receives: z.array(z.enum(NOTIFICATION_ROUTES)).min(1) }),
  /** A channel made elsewhere (PagerDuty, Slack: they need tokens Terraform should not hold), by resource name. */
  z.object({
    kind: z.literal('existing'),
    name: z.string().min(1),
    id: z.string().regex(/^projects\/[^/]+\/notificationChannels\/\d+$/, 'must be projects/<project>/notificationChannels/<id>'),
    receives: z.array(z.enum(NOTIFICATION_ROUTES)).min(1),
  }),
]);

const budgetSchema = z.object({
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as USD').default('USD'),
  /** Fractions of the amount that notify when actual spend crosses them. */
  thresholds: z
    .array(z.number().positive().max(2))
    .min(1)
    .default([0.5, 0.9, 1])
    .refine((t) => t.every((v, i) => i === 0 || v > (t[i - 1] ?? 0)), 'thresholds must be strictly ascending'),
  /** Also notify when the forecast for the month crosses this fraction. */
  forecastThreshold: z.number().positive().max(2).default(1),
});

const loadBalancerSchema = z.object({
  domain: z.string().regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a DNS name such as gemini.example.com'),
});

export const environmentSchema = z
  .object({
    name: z.enum(ENVIRONMENT_NAMES),
    project: projectId,
    region,
    /** GCS bucket of this environment's Terraform state (bootstrapped once, see infra/README.md). */
    stateBucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, 'must be a GCS bucket name'),
    /** Billing account the budget watches: `XXXXXX-XXXXXX-XXXXXX`. */
    billingAccount: z.string().regex(/^[A-F0-9]{6}-[A-F0-9]{6}-[A-F0-9]{6}$/, 'must be a billing account id such as 012345-6789AB-CDEF01'),
    /** Prefix of every resource name; at most 16 characters so `<prefix>-rotation-push` fits a service account id. */
    namePrefix: z.string().regex(/^[a-z][a-z0-9-]{2,14}[a-z0-9]$/, 'must be 4-16 lowercase letters, digits or hyphens').default('gemini-gw'),
    release: releaseSchema,
    platform: z.enum(['cloud-run', 'gke']).default('cloud-run'),
    gke: gkeSchema.optional(),
    upstream: z.enum(['vertex', 'ai-studio']).default('vertex'),
    vertex: vertexSchema.default({ location: 'global' }),
    rotation: rotationSchema.default({ periodDays: 30, graceMinutes: 60, retireSchedule: '*/15 * * * *' }),
    scaling: scalingSchema.default({ minInstances: 0, maxInstances: 10, concurrency: 80, cpu: '1', memory: '1Gi', requestTimeoutSeconds: 900 }),
    /** `internal-and-load-balancer`: reachable from the VPC and through the HTTPS load balancer only. */
    ingress: z.enum(['internal-and-load-balancer', 'all']).default('internal-and-load-balancer'),
    loadBalancer: loadBalancerSchema.optional(),
    /** Whether anyone on the internet may invoke the gateway (then it relies on its own caller keys). */
    public: z.boolean().default(false),
    /** IAM principals allowed to invoke the gateway (`roles/run.invoker`). */
    invokers: z.array(iamPrincipal).default([]),
    /**
     * Who may call, in the gateway's own terms (`GATEWAY_CALLERS`, checked by the gateway's schema): each team's
     * key hashes, models, limits and budget. A deployed gateway holds real Gemini credentials, so it identifies
     * every caller by team key (`GATEWAY_AUTH_MODE=keys`) and refuses to start without one.
     */
    callers: z.array(callerSchema).min(1, 'name at least one caller with a team key: a gateway holding real credentials refuses to start without one (see "Callers" in infra/README.md)'),
    network: networkSchema,
    redis: redisSchema.default({ tier: 'BASIC', memorySizeGb: 1, version: 'REDIS_7_2' }),
    notificationChannels: z.array(channelSchema).default([]),
    /** Where this deployment's copy of `alerts/runbooks/` is published; each alert policy links `<url>/<AlertName>.md`. */
    runbookBaseUrl: z.url({ protocol: /^https$/ }).transform((url) => url.replace(/\/+$/, '')).default(DEFAULT_RUNBOOK_BASE_URL),
    budget: budgetSchema,
    /** Availability objective over `sloPeriodDays`, e.g. 0.999. */
    availabilityObjective: z.number().gt(0.9).lt(1).default(0.995),
    sloPeriodDays: z.number().int().min(1).max(30).default(28),
    deletionProtection: z.boolean().default(true),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    /** Extra labels on every labelled resource (cost centre, team); `app`, `env` and `managed-by` are always set. */
    labels: z.record(labelKey, labelValue).default({}),
  })
  .superRefine((env, ctx) => {
    const problem = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    if (env.platform === 'gke' && env.gke === undefined) problem(['gke'], 'platform "gke" needs a `gke` block (cluster and namespace)');
    if (env.platform === 'cloud-run' && env.gke !== undefined) problem(['gke'], 'a `gke` block is only read when platform is "gke"');
    if (env.platform === 'gke' && env.upstream === 'ai-studio') {
      problem(['upstream'], 'ai-studio on GKE is not supported: the GA Secret Manager add-on does not refresh mounted files, so a rotated key would reach pods only on restart; use vertex');
    }
    if (env.platform === 'gke' && env.loadBalancer === undefined) problem(['loadBalancer'], 'platform "gke" is exposed through an Ingress: set loadBalancer.domain');
    if (env.ingress === 'internal-and-load-balancer' && env.loadBalancer === undefined) {
      problem(['loadBalancer'], 'ingress "internal-and-load-balancer" needs loadBalancer.domain (or choose ingress "all")');
    }
    if (env.vertex.endpoint !== undefined && env.upstream !== 'vertex') problem(['vertex', 'endpoint'], 'a Vertex AI endpoint is only used with upstream "vertex"');
    if (env.release.stableRevision !== undefined && env.platform !== 'cloud-run') {
      problem(['release', 'stableRevision'], 'canary traffic splitting is a Cloud Run feature; GKE rolls out with the Deployment strategy');
    }
    if (env.release.stableRevision !== undefined && !env.release.stableRevision.startsWith(`${env.namePrefix}-`)) {
      problem(['release', 'stableRevision'], `must be a revision of this environment's service (${env.namePrefix}-…)`);
    }
    if (env.public && env.invokers.length > 0) problem(['invokers'], 'a public gateway needs no invokers: remove them or set public to false');
    const callerIds = new Set<string>();
    env.callers.forEach((caller, i) => {
      // `identities` act only in the gateway's `iam` mode, behind IAP, which this infrastructure does not set up.
      if (caller.keySha256.length === 0) problem(['callers', i, 'keySha256'], `caller ${caller.id} has no key: give it the SHA-256 of at least one team key`);
      if (callerIds.has(caller.id)) problem(['callers', i, 'id'], `caller id ${caller.id} appears twice`);
      callerIds.add(caller.id);
    });
    if (env.notificationChannels.filter((c) => c.receives.includes('budget')).length > 5) {
      problem(['notificationChannels'], 'a billing budget notifies at most 5 channels: fewer channels may receive "budget"');
    }
    const reserved = Object.keys(env.labels).filter((k) => k === 'app' || k === 'env' || k === 'managed-by');
    if (reserved.length > 0) problem(['labels'], `labels ${reserved.join(', ')} are set by the infrastructure itself`);
    if (env.name === 'prod') {
      if (env.scaling.minInstances < 1) problem(['scaling', 'minInstances'], 'prod keeps at least one warm instance (minInstances >= 1)');
      if (!env.notificationChannels.some((c) => c.receives.includes('critical'))) problem(['notificationChannels'], 'prod needs a channel that receives critical alerts');
      if (!env.deletionProtection) problem(['deletionProtection'], 'prod keeps deletion protection on');
    }
  });

/** An environment as written in `environments.ts` (defaults may be omitted). */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** An environment with every default filled in: what constructs receive. */
export type Environment = z.output<typeof environmentSchema>;
export type NotificationChannelConfig = Environment['notificationChannels'][number];

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** Parses one environment; a problem is reported as `<env>.<path>: <message>`, all problems at once. */
export function parseEnvironment(input: EnvironmentInput): Environment {
  const result = environmentSchema.safeParse(input);
  if (result.success) return result.data;
  const label = typeof input.name === 'string' ? input.name : '(unnamed environment)';
  const lines = result.error.issues.map((issue) => `${[label, ...issue.path.map(String)].join('.')}: ${issue.message}`);
  throw new EnvironmentError(`Invalid environment:\n  ${lines.join('\n  ')}`);
}

/** Parses every environment and checks what only makes sense across them: unique names and resource homes. */
export function parseEnvironments(inputs: readonly EnvironmentInput[]): Environment[] {
  const environments = inputs.map(parseEnvironment);
  const seen = new Map<string, string>();
  for (const env of environments) {
    for (const [kind, key] of [
      ['name', env.name],
      ['project and name prefix', `${env.project}/${env.namePrefix}`],
      ['state bucket', env.stateBucket],
    ] as const) {
      const previous = seen.get(`${kind}:${key}`);
      if (previous !== undefined) throw new EnvironmentError(`Invalid environments: ${env.name} and ${previous} share the same ${kind} (${key})`);
      seen.set(`${kind}:${key}`, env.name);
    }
  }
  return environments;
}
