/**
 * The few Kubernetes object shapes the GKE manifests use, typed so a misspelt field fails to compile.
 * Not a full API model: only what `gateway-manifests.ts` writes.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface HttpProbe {
  httpGet: { path: string; port: string | number };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: { name: string; value: string }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  startupProbe: HttpProbe;
  livenessProbe: HttpProbe;
  readinessProbe: HttpProbe;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
}

export type Volume = { name: string; csi: { driver: string; readOnly: boolean; volumeAttributes: { secretProviderClass: string } } } | { name: string; emptyDir: Record<string, never> };

export interface Deployment extends KubernetesObject {
  kind: 'Deployment';
  spec: {
    selector: { matchLabels: Record<string, string> };
    strategy: { type: 'RollingUpdate'; rollingUpdate: { maxUnavailable: number | string; maxSurge: number | string } };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        terminationGracePeriodSeconds: number;
        securityContext: { runAsNonRoot: boolean; runAsUser: number; seccompProfile: { type: string } };
        containers: Container[];
        volumes: Volume[];
      };
    };
  };
}

export interface MetricTarget {
  type: 'Utilization' | 'AverageValue';
  averageUtilization?: number;
  averageValue?: string;
}

export interface HorizontalPodAutoscaler extends KubernetesObject {
  kind: 'HorizontalPodAutoscaler';
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: (
      | { type: 'Resource'; resource: { name: string; target: MetricTarget } }
      | { type: 'Pods'; pods: { metric: { name: string }; target: MetricTarget } }
    )[];
    behavior: { scaleDown: { stabilizationWindowSeconds: number } };
  };
}

/** Any other object: its fields beyond the common ones are kept as written. */
export interface GenericObject extends KubernetesObject {
  [field: string]: unknown;
}

export interface KubernetesList {
  apiVersion: 'v1';
  kind: 'List';
  items: (Deployment | HorizontalPodAutoscaler | GenericObject)[];
}
