/**
 * Spans to Cloud Trace through Google's Telemetry API (`telemetry.googleapis.com`), which takes OTLP as it
 * is: no collector beside the gateway, and no Google-specific exporter (Google's migration guide recommends
 * this endpoint over its own Cloud Trace exporter). Protobuf, the encoding Google's own examples send.
 *
 * Each export carries an OAuth token of the instance's own identity (ADC: the service account of the Cloud
 * Run service or of the GKE workload), fetched when the export is sent (google-auth-library caches it until
 * shortly before it expires), and the project the spans are filed in and billed to.
 */
import { diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export interface CloudTraceTarget {
  /** The project whose Cloud Trace receives the spans. */
  project: string;
  /** The Telemetry API's traces URL (or a stand-in: a private endpoint, a test's server). */
  endpoint: string;
  /** An OAuth access token of the instance's identity. */
  token: () => Promise<string>;
}

/** The OTLP request headers for one export: its token and its project. */
export async function cloudTraceHeaders(target: CloudTraceTarget): Promise<Record<string, string>> {
  const project = { 'x-goog-user-project': target.project };
  try {
    return { ...project, authorization: `Bearer ${await target.token()}` };
  } catch (error) {
    // The exporter must not be thrown at here: the export goes unsigned, Google refuses it (401), and the
    // exporter reports that refusal too. This line says why.
    diag.error('gateway telemetry: no access token for the Cloud Trace export (Application Default Credentials)', error);
    return project;
  }
}

export function cloudTraceExporter(target: CloudTraceTarget): SpanExporter {
  return new OTLPTraceExporter({ url: target.endpoint, headers: () => cloudTraceHeaders(target) });
}
