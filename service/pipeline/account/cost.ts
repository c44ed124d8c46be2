/**
 * What a call cost, from Gemini's `usageMetadata`: cached tokens at the cached rate (and not again at the
 * input rate), thinking tokens as output, tool-use prompt tokens as input, nothing counted twice. Money is
 * kept in integer micro-dollars so budgets add up exactly.
 */
import type { PriceLookup } from './price-table';

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
}

export interface TokenCounts {
  /** Prompt tokens billed at the input rate (cached ones excluded, tool-use prompt included). */
  input: number;
  cached: number;
  /** Candidate tokens (thinking excluded). */
  output: number;
  thinking: number;
}

export function tokenCounts(usage: UsageMetadata): TokenCounts {
  const prompt = usage.promptTokenCount ?? 0;
  const cached = Math.min(usage.cachedContentTokenCount ?? 0, prompt);
  return {
    input: prompt - cached + (usage.toolUsePromptTokenCount ?? 0),
    cached,
    output: usage.candidatesTokenCount ?? 0,
    thinking: usage.thoughtsTokenCount ?? 0,
  };
}

/** Total tokens the way Google counts them for limits: everything in and out. */
export function totalTokens(t: TokenCounts): number {
  return t.input + t.cached + t.output + t.thinking;
}

const PER_MILLION = 1_000_000;

export function costMicros(prices: PriceLookup, model: string, day: string, t: TokenCounts): { micros: number; priced: boolean } {
  const { rates, priced } = prices.rates(model, day, t.input + t.cached);
  // Rates are USD per 1M tokens, so tokens × rate is already micro-dollars.
  const micros = t.input * rates.input + t.cached * rates.cachedInput + (t.output + t.thinking) * rates.output;
  return { micros: Math.ceil(micros), priced };
}

/** The most a request can cost: every estimated input token uncached, every allowed output token used. */
export function worstCaseMicros(prices: PriceLookup, model: string, day: string, inputTokens: number, maxOutputTokens: number): number {
  const { rates } = prices.rates(model, day, inputTokens);
  return Math.ceil(inputTokens * rates.input + maxOutputTokens * rates.output);
}

export const microsToUsd = (micros: number): number => micros / PER_MILLION;
export const usdToMicros = (usd: number): number => Math.round(usd * PER_MILLION);
