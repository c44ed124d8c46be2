/**
 * A Secret Manager secret whose value Terraform knows (the Redis connection, a sidecar's configuration, the
 * audit HMAC key it generates), readable by the principals named and nobody else. Secrets whose value Terraform must not know (the
 * Gemini API key) have their own construct.
 */
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export interface PlainSecretConfig {
  project: string;
  secretId: string;
  /** The value; may be a Terraform reference (it is then written at apply time and kept in state). */
  value: string;
  /**
   * The value is generated at apply time (e.g. from `uuid()`, new at every plan) and the first one must
   * stay: later applies leave the version as it is.
   */
  keepFirstValue?: boolean;
  /** Principals (`serviceAccount:…`) given `roles/secretmanager.secretAccessor` on this secret only. */
  readers: readonly string[];
  labels: Record<string, string>;
  api: ProjectService;
}

export class PlainSecret extends Construct {
  readonly secret: SecretManagerSecret;
  readonly version: SecretManagerSecretVersion;
  /** What a reader must wait for: the value and the grants. */
  readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, config: PlainSecretConfig) {
    super(scope, id);
    this.secret = new SecretManagerSecret(this, 'secret', {
      project: config.project,
      secretId: config.secretId,
      replication: { auto: {} },
      labels: config.labels,
      dependsOn: [config.api],
    });
    this.version = new SecretManagerSecretVersion(this, 'value', {
      secret: this.secret.id,
      secretData: config.value,
      ...(config.keepFirstValue ? { lifecycle: { ignoreChanges: ['secret_data'] } } : {}),
    });
    const grants = config.readers.map(
      (member, i) => new SecretManagerSecretIamMember(this, `reader-${i}`, { project: config.project, secretId: this.secret.secretId, role: 'roles/secretmanager.secretAccessor', member }),
    );
    this.ready = [this.version, ...grants];
  }
}
