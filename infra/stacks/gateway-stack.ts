/**
 * One environment's infrastructure: its state in GCS, the Google provider, and the constructs composed
 * from the environment's data. Which constructs exist follows from that data only (upstream, platform,
 * load balancer, Vertex endpoint); nothing here branches on the environment's name.
 */
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { Fn, GcsBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { runbookUrl } from '../../alerts';
import type { Construct } from 'constructs';
import { AlertPolicies } from '../constructs/alert-policies';
import { ApiKeySecret } from '../constructs/api-key-secret';
import { ArtifactRegistry } from '../constructs/artifact-registry';
import { Budget } from '../constructs/budget';
import { CloudRunGateway } from '../constructs/cloud-run-gateway';
import { Dashboards } from '../constructs/dashboards';
import { GkeGateway } from '../constructs/gke-gateway';
import { Identity } from '../constructs/identity';
import { KeyRotator } from '../constructs/key-rotator';
import { LoadBalancer } from '../constructs/load-balancer';
import { Network } from '../constructs/network';
import { NotificationChannels } from '../constructs/notification-channels';
import { PlainSecret } from '../constructs/plain-secret';
import { ProjectServices, requiredApis } from '../constructs/project-services';
import { Redis } from '../constructs/redis';
import { ServiceLevel, type AvailabilitySli } from '../constructs/service-level';
import { VertexAi } from '../constructs/vertex-ai';
import type { Environment } from '../environment-schema';
import { gatewayRuntime } from '../gateway-runtime';
import { commonLabels, imageOf, resourceNames } from '../naming';
import { parseObservability, type ObservabilityDefinitions } from '../observability-definitions';

/** The pinned provider, named unambiguously (the synthesized default `google` resolves differently in OpenTofu). */
const GOOGLE_PROVIDER_SOURCE = 'hashicorp/google';

export class GatewayStack extends TerraformStack {
  constructor(scope: Construct, env: Environment, definitions: ObservabilityDefinitions) {
    const names = resourceNames(env);
    super(scope, names.stack);
    const observability = parseObservability(definitions);
    const labels = commonLabels(env);
    const { project, region } = env;

    new GcsBackend(this, { bucket: env.stateBucket, prefix: names.statePrefix });
    // Budgets are billing-account resources: their API calls are billed to (and need a quota project in) this project.
    new GoogleProvider(this, 'google', { project, region, billingProject: project, userProjectOverride: true });
    this.addOverride('terraform.required_providers.google.source', GOOGLE_PROVIDER_SOURCE);
    const projectNumber = new DataGoogleProject(this, 'project', { projectId: project }).number;

    const apis = new ProjectServices(this, 'apis', { project, apis: requiredApis(env) });
    const network = new Network(this, 'network', {
      project,
      region,
      network: env.network,
      networkName: names.network,
      subnetworkName: names.subnetwork,
      computeApi: apis.require('compute.googleapis.com'),
    });
    const rotates = env.upstream === 'ai-studio';
    const identity = new Identity(this, 'identity', {
      project,
      runtimeAccountId: names.runtimeAccount,
      ...(rotates ? { rotation: { rotatorAccountId: names.rotatorAccount, pushAccountId: names.rotationPushAccount } } : {}),
      iamApi: apis.require('iam.googleapis.com'),
    });
    const runtimeMember = identity.runtime.member;

    new ArtifactRegistry(this, 'registry', { project, location: region, repositoryId: names.repository, labels, api: apis.require('artifactregistry.googleapis.com') });
    const redis = new Redis(this, 'redis', {
      project,
      region,
      name: names.redis,
      redis: env.redis,
      networkId: network.networkId,
      urlSecretId: names.redisUrlSecret,
      caSecretId: names.redisCaSecret,
      readers: [runtimeMember],
      labels,
      redisApi: apis.require('redis.googleapis.com'),
      secretManagerApi: apis.require('secretmanager.googleapis.com'),
    });
    // Two UUIDs (244 random bits) made once, at the first apply: the provider has no random generator.
    const auditHmacKey = new PlainSecret(this, 'audit-hmac-key', {
      project,
      secretId: names.auditHmacKeySecret,
      value: Fn.join('', [Fn.uuid(), Fn.uuid()]),
      keepFirstValue: true,
      readers: [runtimeMember],
      labels,
      api: apis.require('secretmanager.googleapis.com'),
    });
    const secretsReady = [...redis.urlSecret.ready, ...redis.caSecret.ready, ...auditHmacKey.ready];

    if (rotates && identity.rotator !== undefined && identity.rotationPush !== undefined) {
      const apiKey = new ApiKeySecret(this, 'api-key', {
        project,
        projectNumber,
        secretId: names.apiKeySecret,
        topicName: names.rotationTopic,
        rotationPeriodDays: env.rotation.periodDays,
        readerMember: runtimeMember,
        rotatorMember: identity.rotator.member,
        labels,
        secretManagerApi: apis.require('secretmanager.googleapis.com'),
        pubsubApi: apis.require('pubsub.googleapis.com'),
      });
      secretsReady.push(...apiKey.ready);
      new KeyRotator(this, 'key-rotator', {
        project,
        projectNumber,
        region,
        serviceName: names.rotatorService,
        image: imageOf(env, env.release.tag),
        secret: apiKey.secret,
        topic: apiKey.topic,
        subscriptionName: names.rotationSubscription,
        retireJobName: names.retireJob,
        retireSchedule: env.rotation.retireSchedule,
        graceMinutes: env.rotation.graceMinutes,
        rotator: identity.rotator,
        push: identity.rotationPush,
        boundAccountEmail: identity.runtime.email,
        logLevel: env.logLevel,
        deletionProtection: env.deletionProtection,
        labels,
        runApi: apis.require('run.googleapis.com'),
        schedulerApi: apis.require('cloudscheduler.googleapis.com'),
      });
    } else {
      new VertexAi(this, 'vertex-ai', {
        project,
        region,
        runtimeMember,
        endpoint: env.vertex.endpoint,
        labels,
        aiplatformApi: apis.require('aiplatform.googleapis.com'),
      });
    }

    const channels = new NotificationChannels(this, 'notification-channels', {
      project,
      environmentName: env.name,
      channels: env.notificationChannels,
      labels,
      monitoringApi: apis.require('monitoring.googleapis.com'),
    });

    /** The HTTPS entry for the environment's domain; `cloudRunService` set: it routes to that service. */
    const loadBalancer = (domain: string, cloudRunService?: string) =>
      new LoadBalancer(this, 'load-balancer', {
        project,
        region,
        name: names.loadBalancer,
        addressName: names.loadBalancerAddress,
        domain,
        ...(cloudRunService === undefined ? {} : { cloudRunService }),
        labels,
        computeApi: apis.require('compute.googleapis.com'),
      });

    let uptimeHost: string;
    let sli: AvailabilitySli;
    if (env.platform === 'cloud-run') {
      // Cloud Monitoring's uptime checker proves its identity with an OIDC token when the service is not public.
      const uptimeAgent = `serviceAccount:service-${projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
      const gateway = new CloudRunGateway(this, 'gateway', {
        project,
        region,
        serviceName: names.service,
        image: imageOf(env, env.release.tag),
        release: env.release,
        scaling: env.scaling,
        ingress: env.ingress,
        runtime: gatewayRuntime(env, 'cloud-run'),
        serviceAccount: identity.runtime,
        network,
        invokers: [...env.invokers, ...(env.public ? ['allUsers'] : [uptimeAgent])],
        customAudiences: env.loadBalancer ? [`https://${env.loadBalancer.domain}`] : [],
        metricsConfigSecretId: names.metricsConfigSecret,
        deletionProtection: env.deletionProtection,
        labels,
        secretsReady,
        runApi: apis.require('run.googleapis.com'),
        secretManagerApi: apis.require('secretmanager.googleapis.com'),
      });
      if (env.loadBalancer !== undefined) loadBalancer(env.loadBalancer.domain, gateway.service.name);
      uptimeHost = env.loadBalancer?.domain ?? Fn.replace(gateway.service.uri, 'https://', '');
      sli = { kind: 'cloud-run-requests', serviceName: names.service };
      new TerraformOutput(this, 'serving_revision', { value: gateway.revision, description: 'The revision this configuration creates: the stableRevision of the next canary.' });
      new TerraformOutput(this, 'gateway_uri', { value: gateway.service.uri });
    } else {
      if (env.gke === undefined || env.loadBalancer === undefined) throw new Error(`${env.name}: GKE needs gke and loadBalancer settings (the schema enforces this)`);
      loadBalancer(env.loadBalancer.domain);
      new GkeGateway(this, 'gke', {
        project,
        projectNumber,
        region,
        clusterName: names.cluster,
        gke: env.gke,
        kubernetesServiceAccount: names.kubernetesServiceAccount,
        runtime: identity.runtime,
        network,
        deletionProtection: env.deletionProtection,
        labels,
        containerApi: apis.require('container.googleapis.com'),
      });
      uptimeHost = env.loadBalancer.domain;
      sli = { kind: 'uptime-check' };
    }

    new ServiceLevel(this, 'service-level', {
      project,
      environmentName: env.name,
      serviceId: names.service,
      host: uptimeHost,
      authenticated: env.platform === 'cloud-run' && !env.public,
      sli,
      objective: env.availabilityObjective,
      periodDays: env.sloPeriodDays,
      notificationChannels: channels.receiving('critical'),
      runbookUrl: runbookUrl('GatewayDown', env.runbookBaseUrl),
      labels,
      monitoringApi: apis.require('monitoring.googleapis.com'),
    });
    new AlertPolicies(this, 'alert-policies', {
      project,
      environmentName: env.name,
      policies: observability.alertPolicies,
      channelsFor: (severity) => channels.receiving(severity),
      labels,
      monitoringApi: apis.require('monitoring.googleapis.com'),
    });
    new Dashboards(this, 'dashboards', { project, environmentName: env.name, dashboards: observability.dashboards, monitoringApi: apis.require('monitoring.googleapis.com') });
    new Budget(this, 'budget', {
      billingAccount: env.billingAccount,
      projectNumber,
      environmentName: env.name,
      budget: env.budget,
      notificationChannels: channels.receiving('budget'),
      budgetsApi: apis.require('billingbudgets.googleapis.com'),
    });
  }
}
