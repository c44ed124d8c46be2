/** Gateway policy: cache, admission (limits, budgets, queue), retries, fallbacks, shared state, key reloads. */
import { THRESHOLDS } from '../../alerts/definitions';
import { API_ROUTES } from '../../alerts/slo';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, GATEWAY_ATTRIBUTES as G } from '../../service/telemetry/semconv';
import { METRICS, promBucket, promCount, promLabel as L, promName, promTotal } from '../../service/telemetry/metrics-catalogue';
import type { DashboardDefinition } from '../ir';
import { query, quantile, sel, sumRate } from '../queries';

const LOOKUPS = promTotal(METRICS.cacheLookups);
const RESULT = L(G.CACHE_RESULT);
const FALLBACKS = promTotal(METRICS.fallbacks);

export const policy: DashboardDefinition = {
  id: 'policy',
  title: 'Gemini gateway / Policy',
  description: 'What the gateway decides on each request: cache, admission, retries and fallbacks, and the state and credentials it relies on.',
  rows: [
    {
      title: 'Cache',
      panels: [
        {
          kind: 'timeseries',
          title: 'Cache lookups per second by result',
          description: 'hit: answered from the cache; coalesced: joined an identical call in flight; miss: called Gemini; bypass: not cacheable.',
          unit: 'per_second',
          queries: [query((q) => sumRate(q, LOOKUPS, [RESULT], { model: true }), '{{gateway_cache_result}}')],
        },
        {
          kind: 'timeseries',
          title: 'Cache hit ratio',
          description: 'Hits and coalesced lookups as a share of cacheable lookups.',
          unit: 'ratio',
          alerts: ['GatewayCacheHitRateCollapsed'],
          queries: [
            query(
              (q) => `${sumRate(q, LOOKUPS, [], { model: true, matchers: [[RESULT, '=~', 'hit|coalesced']] })}\n/\n${sumRate(q, LOOKUPS, [], { model: true, matchers: [[RESULT, '!=', 'bypass']] })}`,
              'hit ratio',
            ),
          ],
        },
      ],
    },
    {
      title: 'Admission',
      panels: [
        {
          kind: 'timeseries',
          title: 'Admission decisions per second',
          description: 'Admitted requests, and rejections by reason (rpm, tpm, budget, throttled, queue_full, queue_timeout).',
          unit: 'per_second',
          alerts: ['GatewayBudgetNearlySpent'],
          queries: [query((q) => sumRate(q, promTotal(METRICS.admissionDecisions), [L(G.ADMISSION_RESULT), L(G.ADMISSION_REASON)], { model: true }), '{{gateway_admission_result}} {{gateway_admission_reason}}')],
        },
        {
          kind: 'timeseries',
          title: 'Admission queue wait p95',
          description: 'Time requests waited for capacity before being admitted or rejected.',
          unit: 'seconds',
          queries: [query((q) => quantile(q, 0.95, promBucket(METRICS.admissionQueueDuration), [L(G.ADMISSION_RESULT)], { model: true }), '{{gateway_admission_result}}')],
        },
        {
          kind: 'timeseries',
          title: 'Authentication and quota answers',
          description: '401/403 (unknown or unauthorised callers) and 429 (limits, budgets, or an upstream quota relayed) per second.',
          unit: 'requests_per_second',
          queries: [
            query((q) => sumRate(q, promCount(METRICS.httpServerDuration), [L(ATTR_HTTP_RESPONSE_STATUS_CODE)], { matchers: [API_ROUTES, [L(ATTR_HTTP_RESPONSE_STATUS_CODE), '=~', '401|403|429']] }), '{{http_response_status_code}}'),
          ],
        },
      ],
    },
    {
      title: 'Retries and fallbacks',
      panels: [
        {
          kind: 'timeseries',
          title: 'Fallbacks per second',
          description: 'Requests moved to the next model of their chain, from → to.',
          unit: 'per_second',
          alerts: ['GatewayFallbackRateHigh', 'GatewayCircuitBreakerOpen'],
          queries: [query((q) => sumRate(q, FALLBACKS, [L(G.FALLBACK_FROM_MODEL), L(G.FALLBACK_TO_MODEL)]), '{{gateway_fallback_from_model}} → {{gateway_fallback_to_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Fallbacks per request',
          description: 'Fallbacks as a share of Gemini API requests. The line is the alert threshold.',
          unit: 'ratio',
          threshold: THRESHOLDS.fallbackShare,
          alerts: ['GatewayFallbackRateHigh'],
          queries: [query((q) => `${sumRate(q, FALLBACKS, [])}\n/\n${sumRate(q, promTotal(METRICS.requests), [])}`, 'fallbacks per request')],
        },
        {
          kind: 'timeseries',
          title: 'Retries per second by reason',
          description: 'Upstream calls retried, by the error that caused the retry.',
          unit: 'per_second',
          queries: [query((q) => sumRate(q, promTotal(METRICS.retries), [L(ATTR_ERROR_TYPE)], { model: true }), '{{error_type}}')],
        },
      ],
    },
    {
      title: 'State and credentials',
      panels: [
        {
          kind: 'timeseries',
          title: 'Shared state reachable',
          description: '1 when the instance reaches its state backend (Redis in production); 0 means limits and budgets are enforced per instance.',
          unit: 'state',
          alerts: ['GatewayRedisUnreachable'],
          queries: [query((q) => `min by (instance, ${L(G.STATE_BACKEND)}) (${promName(METRICS.stateBackendReachable)}${sel(q, false)})`, '{{instance}} {{gateway_state_backend}}')],
        },
        {
          kind: 'timeseries',
          title: 'API-key reloads by outcome',
          description: 'Reloads of the upstream API key from its Secret Manager file: changed, unchanged or failed.',
          unit: 'count',
          alerts: ['GatewayKeyReloadFailing'],
          queries: [query((q) => `sum by (${L(G.KEY_RELOAD_OUTCOME)}) (increase(${promTotal(METRICS.keyReloads)}${sel(q, false)}[${q.rate}]))`, '{{gateway_key_reload_outcome}}')],
        },
      ],
    },
  ],
};
