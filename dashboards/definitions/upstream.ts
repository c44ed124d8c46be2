/** Upstream Gemini: per-model call rate, latency, time to first chunk, errors by type, 429 share, breakers. */
import { THRESHOLDS } from '../../alerts/definitions';
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, GATEWAY_ATTRIBUTES as G } from '../../service/telemetry/semconv';
import { BREAKER_STATE_VALUES, METRICS, UPSTREAM_QUOTA_ERROR_TYPE, promBucket, promCount, promLabel as L, promName, promTotal } from '../../service/telemetry/metrics-catalogue';
import type { DashboardDefinition } from '../ir';
import { query, quantile, sel, sumRate } from '../queries';

const CALLS = promCount(METRICS.genAiOperationDuration);
const MODEL = L(ATTR_GEN_AI_REQUEST_MODEL);
const ERROR_TYPE = L(ATTR_ERROR_TYPE);
const PROVIDER = L(ATTR_GEN_AI_PROVIDER_NAME);

export const upstream: DashboardDefinition = {
  id: 'upstream',
  title: 'Gemini gateway / Upstream Gemini',
  description: 'Calls from the gateway to Gemini (AI Studio or Vertex AI): rate, latency, time to first chunk, errors, quota, circuit breakers.',
  rows: [
    {
      title: 'Traffic and errors',
      panels: [
        {
          kind: 'timeseries',
          title: 'Upstream calls per second by model',
          description: 'Every attempt counts, retries included.',
          unit: 'requests_per_second',
          queries: [query((q) => sumRate(q, CALLS, [MODEL], { model: true }), '{{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Upstream errors per second by type',
          description: 'Failed attempts by error.type: `http_<status>` for Gemini error answers, `timeout`, `connection_reset`, …',
          unit: 'requests_per_second',
          alerts: ['GeminiQuotaExhausted', 'GatewayCircuitBreakerOpen'],
          queries: [query((q) => sumRate(q, CALLS, [ERROR_TYPE], { model: true, matchers: [[ERROR_TYPE, '!=', '']] }), '{{error_type}}')],
        },
        {
          kind: 'timeseries',
          title: '429 share by model',
          description: 'Share of upstream attempts Gemini rejected for quota (429 RESOURCE_EXHAUSTED). The line is the alert threshold.',
          unit: 'ratio',
          threshold: THRESHOLDS.quotaShare,
          alerts: ['GeminiQuotaExhausted'],
          queries: [
            query(
              (q) => `${sumRate(q, CALLS, [MODEL], { model: true, matchers: [[ERROR_TYPE, '=', UPSTREAM_QUOTA_ERROR_TYPE]] })}\n/\n${sumRate(q, CALLS, [MODEL], { model: true })}`,
              '{{gen_ai_request_model}}',
            ),
          ],
        },
        {
          kind: 'timeseries',
          title: 'Calls per second by backend',
          description: 'Upstream attempts per provider: gcp.gemini (AI Studio) or gcp.vertex_ai (Vertex AI).',
          unit: 'requests_per_second',
          queries: [query((q) => sumRate(q, CALLS, [PROVIDER], { model: true }), '{{gen_ai_provider_name}}')],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          kind: 'timeseries',
          title: 'Upstream latency p95 by model',
          description: 'Duration of each upstream attempt, to its last byte.',
          unit: 'seconds',
          queries: [query((q) => quantile(q, 0.95, promBucket(METRICS.genAiOperationDuration), [MODEL], { model: true }), '{{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Time to first chunk p95 by model',
          description: 'Streaming calls: time until Gemini sent its first chunk (thinking models think first).',
          unit: 'seconds',
          queries: [query((q) => quantile(q, 0.95, promBucket(METRICS.genAiTimeToFirstChunk), [MODEL], { model: true }), '{{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Retries per second by reason',
          description: 'Upstream calls retried, by the error that caused the retry.',
          unit: 'per_second',
          queries: [query((q) => sumRate(q, promTotal(METRICS.retries), [ERROR_TYPE], { model: true }), '{{error_type}}')],
        },
      ],
    },
    {
      title: 'Circuit breakers',
      panels: [
        {
          kind: 'timeseries',
          title: 'Circuit-breaker state by model',
          description: '0 closed, 1 half-open (probing), 2 open (calls fail fast or fall back). The line marks open.',
          unit: 'state',
          threshold: BREAKER_STATE_VALUES.open,
          alerts: ['GatewayCircuitBreakerOpen'],
          width: 12,
          queries: [query((q) => `max by (${PROVIDER}, ${MODEL}) (${promName(METRICS.breakerState)}${sel(q, true)})`, '{{gen_ai_provider_name}} {{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Breaker transitions',
          description: 'State changes per model, by the state entered.',
          unit: 'count',
          alerts: ['GatewayCircuitBreakerOpen'],
          width: 12,
          queries: [query((q) => `sum by (${MODEL}, ${L(G.BREAKER_TO_STATE)}) (increase(${promTotal(METRICS.breakerTransitions)}${sel(q, true)}[${q.rate}]))`, '{{gen_ai_request_model}} → {{gateway_breaker_to_state}}')],
        },
      ],
    },
  ],
};
