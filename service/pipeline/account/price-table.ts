/**
 * The one price table: USD per million tokens, dated so a price change (e.g. 3.8 Flash on 2027-01-01) is
 * data, not a code change. Seeded from shared/reference/gemini-protocol.md §4 (Google's pricing page,
 * paid Standard tier, read 2026-11-22), audio input rates where the page gives them (3.5 Flash-Lite prices
 * every modality alike); replaceable with GATEWAY_PRICES.
 */
import type { PriceEntry } from '../../config/policy';

const flash38 = { input: 0.75, output: 3.75, cachedInput: 0.075 };
const flash38From2027 = { input: 1.5, output: 7.5, cachedInput: 0.15 };

export const DEFAULT_PRICES: readonly PriceEntry[] = [
  { model: 'gemini-3.8-flash', from: '2026-09-02', ...flash38 },
  { model: 'gemini-3.8-flash', from: '2027-01-01', ...flash38From2027 },
  { model: 'gemini-3.7-flash', from: '2026-08-13', ...flash38 },
  { model: 'gemini-3.7-flash', from: '2027-01-01', ...flash38From2027 },
  { model: 'gemini-3.6-flash', from: '2026-07-21', ...flash38 },
  { model: 'gemini-3.6-flash', from: '2027-01-01', ...flash38From2027 },
  { model: 'gemini-3.5-flash', from: '2026-05-19', input: 1.5, output: 9, cachedInput: 0.15 },
  { model: 'gemini-3.5-flash-lite', from: '2026-07-21', input: 0.3, output: 2.5, cachedInput: 0.03 },
  { model: 'gemini-3.1-flash-lite', from: '2026-05-07', input: 0.25, output: 1.5, cachedInput: 0.025, audioInput: 0.5 },
  {
    model: 'gemini-3.1-pro-preview',
    from: '2026-02-19',
    input: 2,
    output: 12,
    cachedInput: 0.2,
    longContext: { aboveInputTokens: 200_000, input: 4, output: 18, cachedInput: 0.4 },
  },
  { model: 'gemini-3-flash-preview', from: '2025-12-17', input: 0.5, output: 3, cachedInput: 0.05, audioInput: 1 },
  {
    model: 'gemini-2.5-pro',
    from: '2025-06-17',
    input: 1.25,
    output: 10,
    cachedInput: 0.125,
    longContext: { aboveInputTokens: 200_000, input: 2.5, output: 15, cachedInput: 0.25 },
  },
  { model: 'gemini-2.5-flash', from: '2025-06-17', input: 0.3, output: 2.5, cachedInput: 0.03, audioInput: 1, audioCachedInput: 0.1 },
  { model: 'gemini-2.5-flash-lite', from: '2025-07-22', input: 0.1, output: 0.4, cachedInput: 0.01, audioInput: 0.3 },
  { model: 'gemini-embedding-001', from: '2025-07-14', input: 0.15, output: 0, cachedInput: 0 },
  { model: 'gemini-embedding-2', from: '2026-01-01', input: 0.2, output: 0, cachedInput: 0 },
];

export interface Rates {
  input: number;
  output: number;
  cachedInput: number;
  audioInput?: number;
  audioCachedInput?: number;
}

export interface PriceLookup {
  /** Rates for a model on a day at a prompt size; `priced: false` when the model is unknown. */
  rates(model: string, day: string, promptTokens: number): { rates: Rates; priced: boolean };
}

/** Prices are looked up by the latest entry in force; an unknown model is priced at the dearest known rates (budgets err on the safe side). */
export function createPriceLookup(entries: readonly PriceEntry[]): PriceLookup {
  const byModel = new Map<string, PriceEntry[]>();
  for (const entry of [...entries].sort((a, b) => a.from.localeCompare(b.from))) byModel.set(entry.model, [...(byModel.get(entry.model) ?? []), entry]);
  const allRates: Rates[] = entries.flatMap((e) => (e.longContext ? [e, e.longContext] : [e]));
  const dearest: Rates = allRates.reduce<Rates>(
    (max, r) => ({ input: Math.max(max.input, r.input), output: Math.max(max.output, r.output), cachedInput: Math.max(max.cachedInput, r.cachedInput) }),
    { input: 0, output: 0, cachedInput: 0 },
  );
  return {
    rates(model, day, promptTokens) {
      const entry = (byModel.get(model) ?? []).filter((e) => e.from <= day).at(-1);
      if (!entry) return { rates: dearest, priced: false };
      const long = entry.longContext && promptTokens > entry.longContext.aboveInputTokens ? entry.longContext : undefined;
      return { rates: long ?? entry, priced: true };
    },
  };
}
