/**
 * Span names and attributes behind `Tracing.inStage` and `Tracing.inUpstreamCall`, as plain values (no
 * OpenTelemetry import): stage spans read `middleware - <stage>` like Express's, and an upstream call is the
 * GenAI "inference" span, `{gen_ai.operation.name} {gen_ai.request.model}` (a CLIENT span: the tracing
 * implementation recognises it by its `gen_ai.operation.name` attribute).
 */
import { operationName, providerName } from './bounded-values';
import { ATTR_GEN_AI_OPERATION_NAME, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_REQUEST_STREAM, GATEWAY_ATTRIBUTES } from './semconv';

export interface SpanSpec {
  name: string;
  attributes: Record<string, string | number | boolean>;
}

/** `middleware - authenticate`, with `gateway.stage` (and `gen_ai.request.model` for a stage that knows the model). */
export function stageSpan(stage: string, model?: string): SpanSpec {
  return { name: `middleware - ${stage}`, attributes: { [GATEWAY_ATTRIBUTES.STAGE]: stage, ...(model !== undefined && { [ATTR_GEN_AI_REQUEST_MODEL]: model }) } };
}

/** One upstream attempt: `generate_content gemini-2.5-flash`, with the required GenAI attributes. */
export function upstreamSpan(call: { method: string; model: string; backend: string; stream: boolean }): SpanSpec {
  const operation = operationName(call.method);
  return {
    name: `${operation} ${call.model}`,
    attributes: {
      [ATTR_GEN_AI_OPERATION_NAME]: operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: providerName(call.backend),
      [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
      [ATTR_GEN_AI_REQUEST_STREAM]: call.stream,
    },
  };
}
