/**
 * The Google APIs an environment uses, enabled once. They stay enabled when the stack is destroyed:
 * disabling an API can break things outside this stack that share the project.
 */
import { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
import type { Environment } from '../environment-schema';

export interface ProjectServicesConfig {
  project: string;
  apis: readonly string[];
}

export class ProjectServices extends Construct {
  private readonly services = new Map<string, ProjectService>();

  constructor(scope: Construct, id: string, config: ProjectServicesConfig) {
    super(scope, id);
    for (const api of config.apis) {
      this.services.set(api, new ProjectService(this, api.split('.')[0] ?? api, { project: config.project, service: api, disableOnDestroy: false, disableDependentServices: false }));
    }
  }

  /** The enablement of `api`, for `dependsOn`: a resource must not be created before its API answers. */
  require(api: string): ProjectService {
    const service = this.services.get(api);
    if (service === undefined) throw new Error(`${api} is used but not enabled: add it to requiredApis()`);
    return service;
  }
}

/** Every API the environment's resources need, and only those. */
export function requiredApis(env: Environment): string[] {
  const apis = [
    'artifactregistry.googleapis.com',
    'cloudresourcemanager.googleapis.com',
    'cloudtrace.googleapis.com',
    'compute.googleapis.com',
    'iam.googleapis.com',
    'iamcredentials.googleapis.com',
    'logging.googleapis.com',
    'monitoring.googleapis.com',
    'redis.googleapis.com',
    'run.googleapis.com',
    'secretmanager.googleapis.com',
    'billingbudgets.googleapis.com',
    // The Telemetry API: where the gateway's spans are sent (OTLP), to be filed in Cloud Trace.
    'telemetry.googleapis.com',
  ];
  if (env.upstream === 'vertex') apis.push('aiplatform.googleapis.com');
  if (env.upstream === 'ai-studio') apis.push('apikeys.googleapis.com', 'generativelanguage.googleapis.com', 'pubsub.googleapis.com', 'cloudscheduler.googleapis.com');
  if (env.platform === 'gke') apis.push('container.googleapis.com');
  return apis.sort();
}
