/**
 * The secret holding the gateway's Gemini API key, and its rotation schedule. Secret Manager only
 * *announces* a rotation (a SECRET_ROTATE message on the topic every `rotationPeriodDays`); the
 * key-rotation job makes the key. Terraform never sees a key: it writes one placeholder version so the
 * service can start before the first rotation, which comes 15 minutes after the secret is created.
 */
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export const API_KEY_PLACEHOLDER = 'placeholder: replaced by the first rotation';
/** Delay of the first SECRET_ROTATE after creation (Secret Manager wants at least 5 minutes). */
const FIRST_ROTATION_DELAY = '15m';

export interface ApiKeySecretConfig {
  project: string;
  projectNumber: string;
  secretId: string;
  topicName: string;
  rotationPeriodDays: number;
  /** The gateway: reads the key. */
  readerMember: string;
  /** The rotation job: adds, reads and disables versions of this secret only. */
  rotatorMember: string;
  labels: Record<string, string>;
  secretManagerApi: ProjectService;
  pubsubApi: ProjectService;
}

export class ApiKeySecret extends Construct {
  readonly secret: SecretManagerSecret;
  readonly topic: PubsubTopic;
  readonly placeholder: SecretManagerSecretVersion;
  /** What the gateway must wait for before it can mount the key: a version and its read grant. */
  readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, config: ApiKeySecretConfig) {
    super(scope, id);
    const { project } = config;
    this.topic = new PubsubTopic(this, 'events', { project, name: config.topicName, labels: config.labels, dependsOn: [config.pubsubApi] });
    // Secret Manager publishes as its service agent, which must be allowed before the secret names the topic.
    const agentPublishes = new PubsubTopicIamMember(this, 'secret-manager-publishes', {
      project,
      topic: this.topic.name,
      role: 'roles/pubsub.publisher',
      member: `serviceAccount:service-${config.projectNumber}@gcp-sa-secretmanager.iam.gserviceaccount.com`,
    });
    this.secret = new SecretManagerSecret(this, 'secret', {
      project,
      secretId: config.secretId,
      replication: { auto: {} },
      topics: [{ name: this.topic.id }],
      rotation: { rotationPeriod: `${config.rotationPeriodDays * 24 * 3600}s`, nextRotationTime: Fn.timeadd(Fn.timestamp(), FIRST_ROTATION_DELAY) },
      // Secret Manager advances next_rotation_time after every rotation; that is not drift.
      lifecycle: { ignoreChanges: ['rotation[0].next_rotation_time'] },
      labels: config.labels,
      dependsOn: [agentPublishes, config.secretManagerApi],
    });
    this.placeholder = new SecretManagerSecretVersion(this, 'placeholder', {
      secret: this.secret.id,
      secretData: API_KEY_PLACEHOLDER,
      // The job disables it once the first real key has been published for the grace period.
      lifecycle: { ignoreChanges: ['enabled'] },
    });
    const grant = (name: string, role: string, member: string) =>
      new SecretManagerSecretIamMember(this, name, { project, secretId: this.secret.secretId, role, member });
    this.ready = [this.placeholder, grant('gateway-reads', 'roles/secretmanager.secretAccessor', config.readerMember)];
    grant('rotator-manages-versions', 'roles/secretmanager.secretVersionManager', config.rotatorMember);
    // The job compares the newest version with its key to stay idempotent. It can read every key string
    // through the API Keys API anyway, so reading this one secret gives it nothing new.
    grant('rotator-reads', 'roles/secretmanager.secretAccessor', config.rotatorMember);
  }
}
