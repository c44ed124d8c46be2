/**
 * The service accounts and their project-level roles. Each account gets only what it needs; grants on one
 * resource (a secret, a service, a topic) live with that resource's construct. Primitive roles
 * (owner/editor/viewer) are never granted.
 *
 * - runtime: the gateway. Writes logs, metrics and traces (Vertex AI access is granted by the Vertex construct).
 * - rotator: the key-rotation job. Manages API keys (the API has no per-key IAM, so this is project-wide)
 *   and may bind new keys to the runtime account.
 * - rotationPush: the identity Pub/Sub and Cloud Scheduler use to call the job; it can do nothing else.
 */
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct } from 'constructs';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';

/** `telemetry.tracesWriter`: the gateway's spans go to Cloud Trace through the Telemetry API (OTLP). */
export const RUNTIME_PROJECT_ROLES = ['roles/cloudtrace.agent', 'roles/logging.logWriter', 'roles/monitoring.metricWriter', 'roles/telemetry.tracesWriter'] as const;
export const ROTATOR_PROJECT_ROLES = ['roles/logging.logWriter', 'roles/serviceusage.apiKeysAdmin'] as const;

export interface IdentityConfig {
  project: string;
  runtimeAccountId: string;
  /** Set when the environment rotates an API key (the ai-studio upstream). */
  rotation?: { rotatorAccountId: string; pushAccountId: string };
  iamApi: ProjectService;
}

export class Identity extends Construct {
  readonly runtime: ServiceAccount;
  readonly rotator?: ServiceAccount;
  readonly rotationPush?: ServiceAccount;

  constructor(scope: Construct, id: string, config: IdentityConfig) {
    super(scope, id);
    const { project } = config;
    this.runtime = new ServiceAccount(this, 'runtime', {
      project,
      accountId: config.runtimeAccountId,
      displayName: 'Gemini gateway runtime',
      description: 'Identity of the gateway: calls Gemini, reads its secrets, writes telemetry.',
      dependsOn: [config.iamApi],
    });
    grantProjectRoles(this, 'runtime', project, this.runtime, RUNTIME_PROJECT_ROLES);

    if (config.rotation !== undefined) {
      this.rotator = new ServiceAccount(this, 'rotator', {
        project,
        accountId: config.rotation.rotatorAccountId,
        displayName: 'Gemini API key rotator',
        description: "Creates, publishes and retires the gateway's Gemini API keys.",
        dependsOn: [config.iamApi],
      });
      grantProjectRoles(this, 'rotator', project, this.rotator, ROTATOR_PROJECT_ROLES);
      // Binding a key to a service account requires acting as it; granted on the runtime account only.
      new ServiceAccountIamMember(this, 'rotator-binds-keys-to-runtime', {
        serviceAccountId: this.runtime.name,
        role: 'roles/iam.serviceAccountUser',
        member: this.rotator.member,
      });
      this.rotationPush = new ServiceAccount(this, 'rotation-push', {
        project,
        accountId: config.rotation.pushAccountId,
        displayName: 'Gemini API key rotation trigger',
        description: 'Identity Pub/Sub and Cloud Scheduler present when they call the key-rotation job.',
        dependsOn: [config.iamApi],
      });
    }
  }
}

function grantProjectRoles(scope: Construct, prefix: string, project: string, account: ServiceAccount, roles: readonly string[]): void {
  for (const role of roles) {
    new ProjectIamMember(scope, `${prefix}-${role.replace('roles/', '')}`, { project, role, member: account.member });
  }
}
