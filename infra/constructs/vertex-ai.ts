/**
 * Vertex AI for the gateway: the runtime account may call Gemini (publisher models need no deployment, so
 * nothing else is created for them), and optionally an endpoint for tuned or dedicated models, whose name
 * the gateway receives so it can route the listed models there. `roles/aiplatform.user` is granted on the
 * project: the GA provider has no endpoint-level IAM resource.
 */
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { VertexAiEndpoint } from '@cdktf/provider-google/lib/vertex-ai-endpoint';
import { Construct } from 'constructs';
import type { Environment } from '../environment-schema';

export interface VertexAiConfig {
  project: string;
  region: string;
  runtimeMember: string;
  endpoint: NonNullable<Environment['vertex']['endpoint']> | undefined;
  labels: Record<string, string>;
  aiplatformApi: ProjectService;
}

export class VertexAi extends Construct {
  readonly endpoint?: VertexAiEndpoint;

  constructor(scope: Construct, id: string, config: VertexAiConfig) {
    super(scope, id);
    new ProjectIamMember(this, 'runtime-calls-gemini', { project: config.project, role: 'roles/aiplatform.user', member: config.runtimeMember, dependsOn: [config.aiplatformApi] });
    if (config.endpoint === undefined) return;
    this.endpoint = new VertexAiEndpoint(this, 'endpoint', {
      project: config.project,
      location: config.region,
      region: config.region,
      name: config.endpoint.id,
      displayName: config.endpoint.displayName,
      description: `Serves ${config.endpoint.models.join(', ')} for the Gemini gateway.`,
      dedicatedEndpointEnabled: config.endpoint.dedicated,
      labels: config.labels,
      dependsOn: [config.aiplatformApi],
    });
  }
}
