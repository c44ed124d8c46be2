/**
 * The key-rotation job (`service/jobs/`) on Cloud Run, and what drives it: a push subscription delivering
 * the secret's SECRET_ROTATE messages, and a Cloud Scheduler job asking it to retire keys whose grace has
 * passed. Both call with the rotation-push identity, the only principal allowed to invoke the job. One
 * instance serving one request at a time keeps rotations strictly sequential.
 */
import { CloudRunV2Service } from '@cdktf/provider-google/lib/cloud-run-v2-service';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import type { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubSubscription } from '@cdktf/provider-google/lib/pubsub-subscription';
import type { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct } from 'constructs';
import { ROTATION_JOB_SETTINGS } from '../../service/jobs/config';
import { ROTATION_JOB_ROUTES } from '../../service/jobs/routes';

/** The job's entry point inside the gateway image (see Dockerfile). */
export const ROTATION_JOB_COMMAND = ['node', 'dist/service/jobs/main.js'];

export interface KeyRotatorConfig {
  project: string;
  projectNumber: string;
  region: string;
  serviceName: string;
  image: string;
  secret: SecretManagerSecret;
  topic: PubsubTopic;
  subscriptionName: string;
  retireJobName: string;
  /** Cron (UTC) of the retire calls. */
  retireSchedule: string;
  graceMinutes: number;
  rotator: ServiceAccount;
  push: ServiceAccount;
  /** The account new keys are bound to. */
  boundAccountEmail: string;
  logLevel: string;
  deletionProtection: boolean;
  labels: Record<string, string>;
  runApi: ProjectService;
  schedulerApi: ProjectService;
}

export class KeyRotator extends Construct {
  readonly service: CloudRunV2Service;
  readonly subscription: PubsubSubscription;
  readonly retireJob: CloudSchedulerJob;

  constructor(scope: Construct, id: string, config: KeyRotatorConfig) {
    super(scope, id);
    const { project, region } = config;
    const settings = ROTATION_JOB_SETTINGS;
    this.service = new CloudRunV2Service(this, 'service', {
      project,
      location: region,
      name: config.serviceName,
      description: 'Rotates the Gemini API key of the gateway (service/jobs).',
      ingress: 'INGRESS_TRAFFIC_INTERNAL_ONLY',
      deletionProtection: config.deletionProtection,
      labels: config.labels,
      template: {
        serviceAccount: config.rotator.email,
        maxInstanceRequestConcurrency: 1,
        scaling: { minInstanceCount: 0, maxInstanceCount: 1 },
        timeout: '300s',
        labels: config.labels,
        containers: [
          {
            name: 'key-rotator',
            image: config.image,
            command: [...ROTATION_JOB_COMMAND],
            env: [
              { name: settings.secret.env, value: config.secret.id },
              { name: settings.keyProject.env, value: project },
              { name: settings.boundServiceAccount.env, value: config.boundAccountEmail },
              { name: settings.graceSeconds.env, value: String(config.graceMinutes * 60) },
              { name: settings.logLevel.env, value: config.logLevel },
            ],
            resources: { limits: { cpu: '1', memory: '512Mi' }, cpuIdle: true },
            startupProbe: { httpGet: { path: ROTATION_JOB_ROUTES.health }, periodSeconds: 2, failureThreshold: 15, timeoutSeconds: 1 },
          },
        ],
      },
      dependsOn: [config.runApi],
    });

    const invoker = new CloudRunV2ServiceIamMember(this, 'push-invokes', {
      project,
      location: region,
      name: this.service.name,
      role: 'roles/run.invoker',
      member: config.push.member,
    });
    // Pub/Sub mints the push OIDC token as its service agent, acting as the push account.
    const pubsubMintsTokens = new ServiceAccountIamMember(this, 'pubsub-mints-push-tokens', {
      serviceAccountId: config.push.name,
      role: 'roles/iam.serviceAccountTokenCreator',
      member: `serviceAccount:service-${config.projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`,
    });
    const oidcToken = { serviceAccountEmail: config.push.email, audience: this.service.uri };

    this.subscription = new PubsubSubscription(this, 'rotation-events', {
      project,
      name: config.subscriptionName,
      topic: config.topic.id,
      filter: 'attributes.eventType = "SECRET_ROTATE"',
      ackDeadlineSeconds: 600,
      messageRetentionDuration: `${7 * 24 * 3600}s`,
      retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
      // Subscriptions expire after 31 idle days by default; rotations may be further apart.
      expirationPolicy: { ttl: '' },
      pushConfig: { pushEndpoint: `${this.service.uri}${ROTATION_JOB_ROUTES.secretEvents}`, oidcToken },
      labels: config.labels,
      dependsOn: [invoker, pubsubMintsTokens],
    });

    this.retireJob = new CloudSchedulerJob(this, 'retire', {
      project,
      region,
      name: config.retireJobName,
      description: 'Asks the key-rotation job to retire keys whose grace period has passed.',
      schedule: config.retireSchedule,
      timeZone: 'Etc/UTC',
      attemptDeadline: '300s',
      retryConfig: { retryCount: 3, minBackoffDuration: '30s', maxBackoffDuration: '300s' },
      httpTarget: { uri: `${this.service.uri}${ROTATION_JOB_ROUTES.retire}`, httpMethod: 'POST', oidcToken },
      dependsOn: [invoker, config.schedulerApi],
    });
  }
}
