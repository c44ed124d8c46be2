/**
 * What the gateway needs from Google Cloud to run on GKE: an Autopilot cluster (or an existing one), its
 * Kubernetes service account acting as the runtime service account (Workload Identity), and read access
 * to Cloud Monitoring for the custom-metrics adapter the autoscaler asks for the in-flight metric. The
 * Kubernetes objects themselves are rendered by `infra/kubernetes/gateway-manifests.ts`.
 */
import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { Construct } from 'constructs';
import type { Environment } from '../environment-schema';

/** Where Google's Custom Metrics Stackdriver Adapter runs once installed (see infra/README.md). */
export const METRICS_ADAPTER = { namespace: 'custom-metrics', serviceAccount: 'custom-metrics-stackdriver-adapter' } as const;

export interface GkeGatewayConfig {
  project: string;
  projectNumber: string;
  region: string;
  clusterName: string;
  gke: NonNullable<Environment['gke']>;
  kubernetesServiceAccount: string;
  runtime: ServiceAccount;
  network: { networkId: string; subnetworkId: string };
  deletionProtection: boolean;
  labels: Record<string, string>;
  containerApi: ProjectService;
}

export class GkeGateway extends Construct {
  readonly cluster?: ContainerCluster;

  constructor(scope: Construct, id: string, config: GkeGatewayConfig) {
    super(scope, id);
    const { project, gke } = config;
    if (gke.cluster.kind === 'autopilot') {
      this.cluster = new ContainerCluster(this, 'cluster', {
        project,
        name: config.clusterName,
        location: config.region,
        enableAutopilot: true,
        network: config.network.networkId,
        subnetwork: config.network.subnetworkId,
        releaseChannel: { channel: gke.cluster.releaseChannel },
        // Nodes get no public addresses; the control plane stays reachable for kubectl.
        privateClusterConfig: { enablePrivateNodes: true },
        // Mounts Secret Manager secrets as files (SecretProviderClass, provider "gke").
        secretManagerConfig: { enabled: true },
        deletionProtection: config.deletionProtection,
        resourceLabels: config.labels,
        dependsOn: [config.containerApi],
      });
    }
    const workloadPool = `${project}.svc.id.goog`;
    new ServiceAccountIamMember(this, 'workload-identity', {
      serviceAccountId: config.runtime.name,
      role: 'roles/iam.workloadIdentityUser',
      member: `serviceAccount:${workloadPool}[${gke.namespace}/${config.kubernetesServiceAccount}]`,
      dependsOn: this.cluster ? [this.cluster] : [],
    });
    new ProjectIamMember(this, 'metrics-adapter-reads-monitoring', {
      project,
      role: 'roles/monitoring.viewer',
      member: `principal://iam.googleapis.com/projects/${config.projectNumber}/locations/global/workloadIdentityPools/${workloadPool}/subject/ns/${METRICS_ADAPTER.namespace}/sa/${METRICS_ADAPTER.serviceAccount}`,
    });
  }
}
