/**
 * What a call cost, from Gemini's `usageMetadata`: cached tokens at the cached rate (and not again at the
 * input rate), audio input at the model's audio rate, thinking tokens as output, tool-use prompt tokens as
 * input, nothing counted twice. Money is
 * kept in integer micro-dollars so budgets add up exactly.
 */
import type { PriceLookup } from './price-table';

/** Tokens of one modality (`TEXT`, `IMAGE`, `AUDIO`, `VIDEO`, `DOCUMENT`). */
interface ModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

export interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: ModalityTokenCount[];
  cacheTokensDetails?: ModalityTokenCount[];
}

export interface TokenCounts {
  /** Prompt tokens billed at the input rate (cached ones excluded, tool-use prompt included). */
  input: number;
  cached: number;
  /** Candidate tokens (thinking excluded). */
  output: number;
  thinking: number;
  /** Of `input`, the audio tokens (some models price audio input higher); present when there are any. */
  audio?: number;
  /** Of `cached`, the audio tokens; present when there are any. */
  audioCached?: number;
}

function audioTokens(details: ModalityTokenCount[] | undefined): number {
  let total = 0;
  for (const detail of details ?? []) if (detail.modality === 'AUDIO') total += detail.tokenCount ?? 0;
  return total;
}

export function tokenCounts(usage: UsageMetadata): TokenCounts {
  const prompt = usage.promptTokenCount ?? 0;
  const cached = Math.min(usage.cachedContentTokenCount ?? 0, prompt);
  const counts: TokenCounts = {
    input: prompt - cached + (usage.toolUsePromptTokenCount ?? 0),
    cached,
    output: usage.candidatesTokenCount ?? 0,
    thinking: usage.thoughtsTokenCount ?? 0,
  };
  const audioCached = Math.min(audioTokens(usage.cacheTokensDetails), cached);
  const audio = Math.min(Math.max(0, audioTokens(usage.promptTokensDetails) - audioCached), counts.input);
  if (audio > 0) counts.audio = audio;
  if (audioCached > 0) counts.audioCached = audioCached;
  return counts;
}

/** Total tokens the way Google counts them for limits: everything in and out. */
export function totalTokens(t: TokenCounts): number {
  return t.input + t.cached + t.output + t.thinking;
}

const PER_MILLION = 1_000_000;

export function costMicros(prices: PriceLookup, model: string, day: string, t: TokenCounts): { micros: number; priced: boolean } {
  const { rates, priced } = prices.rates(model, day, t.input + t.cached);
  const audio = t.audio ?? 0;
  const audioCached = t.audioCached ?? 0;
  // Rates are USD per 1M tokens, so tokens × rate is already micro-dollars. Audio has its own rates where the model does.
  const micros =
    (t.input - audio) * rates.input +
    audio * (rates.audioInput ?? rates.input) +
    (t.cached - audioCached) * rates.cachedInput +
    audioCached * (rates.audioCachedInput ?? rates.cachedInput) +
    (t.output + t.thinking) * rates.output;
  return { micros: Math.ceil(micros), priced };
}

/**
 * The most a request can cost: every estimated input token uncached, at the dearer of the model's text and
 * audio rates (the estimate does not tell them apart), and every allowed output token used.
 */
export function worstCaseMicros(prices: PriceLookup, model: string, day: string, inputTokens: number, maxOutputTokens: number): number {
  const { rates } = prices.rates(model, day, inputTokens);
  return Math.ceil(inputTokens * Math.max(rates.input, rates.audioInput ?? 0) + maxOutputTokens * rates.output);
}

export const microsToUsd = (micros: number): number => micros / PER_MILLION;
export const usdToMicros = (usd: number): number => Math.round(usd * PER_MILLION);
