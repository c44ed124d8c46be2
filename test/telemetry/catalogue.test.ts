/**
 * The metric catalogue: complete definitions, and Prometheus names derived exactly as exporter-prometheus
 * 0.301 writes them (no unit suffix, `_total` on counters only). The list below is what dashboards,
 * alerts and infra may rely on; changing it is a breaking change for them.
 */
import { GATEWAY_ATTRIBUTES, GEN_AI_CONTENT_ATTRIBUTES } from '../../service/telemetry/semconv';
import { METRICS, promBucket, promCount, promLabel, promName, promSeriesNames, promSum, promTotal, type MetricDefinition } from '../../service/telemetry/metrics-catalogue';

const all: MetricDefinition[] = Object.values(METRICS);

test('every instrument is defined once, with kind, unit, description and labels; histograms with ascending buckets', () => {
  expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
  for (const m of all) {
    expect(m.name).toMatch(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/);
    expect(m.unit).not.toBe('');
    expect(m.description.length).toBeGreaterThan(20);
    if (m.kind === 'histogram') {
      expect(m.boundaries!.length).toBeGreaterThan(5);
      expect([...m.boundaries!].sort((a, b) => a - b)).toEqual([...m.boundaries!]);
    } else {
      expect(m.boundaries).toBeUndefined();
    }
  }
});

test('HTTP and GenAI duration buckets reach LLM durations (over 120 s)', () => {
  expect(Math.max(...METRICS.httpServerDuration.boundaries)).toBeGreaterThanOrEqual(120);
  expect(Math.max(...METRICS.genAiOperationDuration.boundaries)).toBeGreaterThanOrEqual(120);
});

test('labels are bounded: no caller, key or content attribute on any instrument', () => {
  const forbidden = new Set<string>([GATEWAY_ATTRIBUTES.CALLER_ID, ...GEN_AI_CONTENT_ATTRIBUTES, 'url.full', 'url.query', 'url.path', 'enduser.id', 'user.id']);
  for (const m of all) for (const label of m.labels) expect([m.name, label, forbidden.has(label)]).toEqual([m.name, label, false]);
});

test('Prometheus series names, as the JS exporter writes them', () => {
  expect(Object.fromEntries(all.map((m) => [m.name, promSeriesNames(m)]))).toEqual({
    'http.server.request.duration': ['http_server_request_duration_bucket', 'http_server_request_duration_count', 'http_server_request_duration_sum'],
    'http.server.active_requests': ['http_server_active_requests'],
    'gateway.requests': ['gateway_requests_total'],
    'gen_ai.client.operation.duration': ['gen_ai_client_operation_duration_bucket', 'gen_ai_client_operation_duration_count', 'gen_ai_client_operation_duration_sum'],
    'gen_ai.client.operation.time_to_first_chunk': [
      'gen_ai_client_operation_time_to_first_chunk_bucket',
      'gen_ai_client_operation_time_to_first_chunk_count',
      'gen_ai_client_operation_time_to_first_chunk_sum',
    ],
    'gen_ai.client.inference.usage.input_tokens': ['gen_ai_client_inference_usage_input_tokens_total'],
    'gen_ai.client.inference.usage.output_tokens': ['gen_ai_client_inference_usage_output_tokens_total'],
    'gen_ai.client.inference.usage.cache_read.input_tokens': ['gen_ai_client_inference_usage_cache_read_input_tokens_total'],
    'gen_ai.client.inference.usage.reasoning.output_tokens': ['gen_ai_client_inference_usage_reasoning_output_tokens_total'],
    'gateway.upstream.retries': ['gateway_upstream_retries_total'],
    'gateway.fallbacks': ['gateway_fallbacks_total'],
    'gateway.breaker.state': ['gateway_breaker_state'],
    'gateway.breaker.transitions': ['gateway_breaker_transitions_total'],
    'gateway.cache.lookups': ['gateway_cache_lookups_total'],
    'gateway.admission.decisions': ['gateway_admission_decisions_total'],
    'gateway.admission.queue.duration': ['gateway_admission_queue_duration_bucket', 'gateway_admission_queue_duration_count', 'gateway_admission_queue_duration_sum'],
    'gateway.cost.usd': ['gateway_cost_usd_total'],
    'gateway.budget.max_spent_ratio': ['gateway_budget_max_spent_ratio'],
    'gateway.budget.callers': ['gateway_budget_callers'],
    'gateway.state.backend.reachable': ['gateway_state_backend_reachable'],
    'gateway.key.reloads': ['gateway_key_reloads_total'],
    'nodejs.eventloop.delay.p50': ['nodejs_eventloop_delay_p50'],
    'nodejs.eventloop.delay.p99': ['nodejs_eventloop_delay_p99'],
    'nodejs.eventloop.delay.max': ['nodejs_eventloop_delay_max'],
    'nodejs.eventloop.utilization': ['nodejs_eventloop_utilization'],
    'v8js.memory.heap.used': ['v8js_memory_heap_used'],
  });
});

test('the helpers agree with each other and never add a unit suffix', () => {
  expect(promBucket(METRICS.httpServerDuration)).toBe('http_server_request_duration_bucket');
  expect(promCount(METRICS.genAiOperationDuration)).toBe('gen_ai_client_operation_duration_count');
  expect(promSum(METRICS.admissionQueueDuration)).toBe('gateway_admission_queue_duration_sum');
  expect(promTotal(METRICS.costUsd)).toBe('gateway_cost_usd_total');
  expect(promName(METRICS.httpServerActiveRequests)).toBe('http_server_active_requests');
  expect(promLabel('gen_ai.request.model')).toBe('gen_ai_request_model');
  for (const m of all) expect(promName(m)).not.toMatch(/_seconds|_bytes$/);
});
