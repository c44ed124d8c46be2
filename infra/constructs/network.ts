/**
 * The VPC the gateway reaches Redis through (Cloud Run: Direct VPC egress; GKE: the cluster's network):
 * created per environment, or an existing (e.g. Shared VPC) network named by the environment.
 */
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';
import type { Environment } from '../environment-schema';

export interface NetworkConfig {
  project: string;
  region: string;
  network: Environment['network'];
  networkName: string;
  subnetworkName: string;
  computeApi: ProjectService;
}

export class Network extends Construct {
  /** Network id (`projects/<p>/global/networks/<n>`), as Redis and Cloud Run expect it. */
  readonly networkId: string;
  readonly subnetworkId: string;

  constructor(scope: Construct, id: string, config: NetworkConfig) {
    super(scope, id);
    if (config.network.kind === 'existing') {
      this.networkId = config.network.network;
      this.subnetworkId = config.network.subnetwork;
      return;
    }
    const network = new ComputeNetwork(this, 'network', {
      project: config.project,
      name: config.networkName,
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
      dependsOn: [config.computeApi],
    });
    const subnetwork = new ComputeSubnetwork(this, 'subnetwork', {
      project: config.project,
      name: config.subnetworkName,
      region: config.region,
      network: network.id,
      ipCidrRange: config.network.subnetCidr,
      // Instances without external addresses still reach Google APIs (Secret Manager, Vertex AI).
      privateIpGoogleAccess: true,
    });
    this.networkId = network.id;
    this.subnetworkId = subnetwork.id;
  }
}
