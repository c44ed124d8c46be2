/** Tokens and cost: token rates per model, cached and thinking shares, spend per hour, budgets. */
import { THRESHOLDS } from '../../alerts/definitions';
import { ATTR_GEN_AI_REQUEST_MODEL, GATEWAY_ATTRIBUTES as G } from '../../service/telemetry/semconv';
import { METRICS, promLabel as L, promName, promTotal } from '../../service/telemetry/metrics-catalogue';
import type { DashboardDefinition } from '../ir';
import { query, sel, sumRate } from '../queries';

const MODEL = L(ATTR_GEN_AI_REQUEST_MODEL);
const INPUT = promTotal(METRICS.genAiInputTokens);
const OUTPUT = promTotal(METRICS.genAiOutputTokens);
const COST = promTotal(METRICS.costUsd);

export const tokensCost: DashboardDefinition = {
  id: 'tokens-cost',
  title: 'Gemini gateway / Tokens and cost',
  description: 'Tokens billed by Gemini per model (input with its cached part, output with its thinking part), spend, and caller budgets.',
  rows: [
    {
      title: 'Tokens',
      panels: [
        {
          kind: 'timeseries',
          title: 'Input tokens per second by model',
          description: 'Prompt tokens billed, cached ones included.',
          unit: 'tokens_per_second',
          queries: [query((q) => sumRate(q, INPUT, [MODEL], { model: true }), '{{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Output tokens per second by model',
          description: 'Output tokens billed, thinking tokens included.',
          unit: 'tokens_per_second',
          queries: [query((q) => sumRate(q, OUTPUT, [MODEL], { model: true }), '{{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Cached share of input tokens',
          description: 'Input tokens Gemini served from its context cache (billed at the cached rate), as a share of all input tokens.',
          unit: 'ratio',
          queries: [query((q) => `${sumRate(q, promTotal(METRICS.genAiCacheReadInputTokens), [MODEL], { model: true })}\n/\n${sumRate(q, INPUT, [MODEL], { model: true })}`, '{{gen_ai_request_model}}')],
        },
        {
          kind: 'timeseries',
          title: 'Thinking share of output tokens',
          description: 'Reasoning ("thinking") tokens as a share of output tokens: the part of the output the caller never sees but pays for.',
          unit: 'ratio',
          queries: [query((q) => `${sumRate(q, promTotal(METRICS.genAiReasoningOutputTokens), [MODEL], { model: true })}\n/\n${sumRate(q, OUTPUT, [MODEL], { model: true })}`, '{{gen_ai_request_model}}')],
        },
      ],
    },
    {
      title: 'Cost and budgets',
      panels: [
        {
          kind: 'timeseries',
          title: 'Spend per hour by model',
          description: 'Estimated spend in US dollars per hour, priced from the gateway price table.',
          unit: 'usd_per_hour',
          alerts: ['GatewayCostAnomaly'],
          queries: [query((q) => `${sumRate(q, COST, [MODEL], { model: true })} * 3600`, '{{gen_ai_request_model}}')],
        },
        {
          kind: 'stat',
          title: 'Spend, last 24 hours',
          description: 'Estimated spend over the last day, all models.',
          unit: 'usd',
          width: 6,
          alerts: ['GatewayCostAnomaly'],
          queries: [query((q) => `sum(increase(${COST}${sel(q, true)}[1d]))`, 'USD')],
        },
        {
          kind: 'timeseries',
          title: 'Highest caller budget spent',
          description: 'The highest spent/limit ratio of any caller heard of in the last hour. The caller is named in the gateway log, never in a metric.',
          unit: 'ratio',
          threshold: THRESHOLDS.budgetRatio,
          alerts: ['GatewayBudgetNearlySpent'],
          width: 6,
          queries: [query((q) => `max(${promName(METRICS.budgetMaxSpentRatio)}${sel(q, false)})`, 'highest caller')],
        },
        {
          kind: 'timeseries',
          title: 'Callers by budget spent',
          description: 'Callers whose spent ratio is at or above each threshold.',
          unit: 'count',
          alerts: ['GatewayBudgetNearlySpent'],
          queries: [query((q) => `max by (${L(G.BUDGET_THRESHOLD)}) (${promName(METRICS.budgetCallers)}${sel(q, false)})`, '≥ {{gateway_budget_threshold}}')],
        },
      ],
    },
  ],
};
