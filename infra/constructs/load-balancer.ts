/**
 * The public entry of the gateway: a global external Application Load Balancer with a Google-managed
 * certificate for the environment's domain. On Cloud Run it reaches the service through a serverless NEG
 * (the service's ingress then admits only internal and load-balancer traffic). On GKE only the address is
 * reserved here; the Ingress in the rendered manifests claims it by name.
 */
import { ComputeBackendService } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeManagedSslCertificate } from '@cdktf/provider-google/lib/compute-managed-ssl-certificate';
import { ComputeRegionNetworkEndpointGroup } from '@cdktf/provider-google/lib/compute-region-network-endpoint-group';
import { ComputeTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-target-https-proxy';
import { ComputeUrlMap } from '@cdktf/provider-google/lib/compute-url-map';
import type { ProjectService } from '@cdktf/provider-google/lib/project-service';
import { Construct } from 'constructs';

export interface LoadBalancerConfig {
  project: string;
  region: string;
  name: string;
  addressName: string;
  domain: string;
  /** The Cloud Run service behind it; unset on GKE, whose Ingress builds the rest. */
  cloudRunService?: string;
  labels: Record<string, string>;
  computeApi: ProjectService;
}

export class LoadBalancer extends Construct {
  readonly address: ComputeGlobalAddress;

  constructor(scope: Construct, id: string, config: LoadBalancerConfig) {
    super(scope, id);
    const { project, name } = config;
    this.address = new ComputeGlobalAddress(this, 'address', { project, name: config.addressName, labels: config.labels, dependsOn: [config.computeApi] });
    if (config.cloudRunService === undefined) return;

    const neg = new ComputeRegionNetworkEndpointGroup(this, 'serverless-neg', {
      project,
      name: `${name}-neg`,
      region: config.region,
      networkEndpointType: 'SERVERLESS',
      cloudRun: { service: config.cloudRunService },
    });
    // No timeoutSec: serverless backends take the Cloud Run request timeout, which streams need.
    const backend = new ComputeBackendService(this, 'backend', {
      project,
      name: `${name}-backend`,
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      protocol: 'HTTPS',
      backend: [{ group: neg.id }],
      logConfig: { enable: true, sampleRate: 1 },
    });
    const urlMap = new ComputeUrlMap(this, 'url-map', { project, name: `${name}-url-map`, defaultService: backend.id });
    const certificate = new ComputeManagedSslCertificate(this, 'certificate', { project, name: `${name}-cert`, managed: { domains: [config.domain] } });
    const proxy = new ComputeTargetHttpsProxy(this, 'https-proxy', { project, name: `${name}-https-proxy`, urlMap: urlMap.id, sslCertificates: [certificate.id] });
    new ComputeGlobalForwardingRule(this, 'https', {
      project,
      name: `${name}-https`,
      target: proxy.id,
      ipAddress: this.address.id,
      portRange: '443',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      labels: config.labels,
    });
  }
}
