import { costMicros, tokenCounts, worstCaseMicros } from './cost';
import { createPriceLookup, DEFAULT_PRICES } from './price-table';

const prices = createPriceLookup(DEFAULT_PRICES);

test('cached tokens at the cached rate, thinking as output, never twice', () => {
  // 10k prompt of which 8k cached, 1k answer + 2k thinking on 3.5 Flash-Lite ($0.30 / $2.50 / $0.03 per 1M).
  const t = tokenCounts({ promptTokenCount: 10_000, cachedContentTokenCount: 8_000, candidatesTokenCount: 1_000, thoughtsTokenCount: 2_000 });
  expect(t).toEqual({ input: 2_000, cached: 8_000, output: 1_000, thinking: 2_000 });
  // 2000×0.30 + 8000×0.03 + 3000×2.50 = 600 + 240 + 7500 micro-dollars.
  expect(costMicros(prices, 'gemini-3.5-flash-lite', '2026-11-22', t)).toEqual({ micros: 8_340, priced: true });
});

test('dated prices: 3.8 Flash doubles on 2027-01-01', () => {
  const t = tokenCounts({ promptTokenCount: 1_000_000 });
  expect(costMicros(prices, 'gemini-3.8-flash', '2026-12-31', t).micros).toBe(750_000);
  expect(costMicros(prices, 'gemini-3.8-flash', '2027-01-01', t).micros).toBe(1_500_000);
});

test('long-context rates above 200k prompt tokens', () => {
  expect(costMicros(prices, 'gemini-3.1-pro-preview', '2026-11-22', tokenCounts({ promptTokenCount: 100_000 })).micros).toBe(200_000);
  expect(costMicros(prices, 'gemini-3.1-pro-preview', '2026-11-22', tokenCounts({ promptTokenCount: 300_000 })).micros).toBe(1_200_000);
});

test('an unknown model is priced at the dearest rates and flagged', () => {
  const result = costMicros(prices, 'gemini-9-ultra', '2026-11-22', tokenCounts({ promptTokenCount: 1_000, candidatesTokenCount: 1_000 }));
  expect(result.priced).toBe(false);
  expect(result.micros).toBe(1_000 * 4 + 1_000 * 18);
});

test('worst case = every input token uncached + every allowed output token', () => {
  expect(worstCaseMicros(prices, 'gemini-3.5-flash-lite', '2026-11-22', 1_000, 8_192)).toBe(Math.ceil(1_000 * 0.3 + 8_192 * 2.5));
  // 2.5 Flash prices audio input at $1.00 against $0.30 for text: the worst case takes the dearer.
  expect(worstCaseMicros(prices, 'gemini-2.5-flash', '2026-11-22', 1_000, 1_000)).toBe(1_000 * 1 + 1_000 * 2.5);
});

test('audio input at the model\'s audio rates, cached audio at its cached audio rate; a model without them prices every modality alike', () => {
  // 2.5 Flash: $0.30 text, $1.00 audio, $0.03 cached, $0.10 cached audio (per 1M).
  const t = tokenCounts({
    promptTokenCount: 1_000_000,
    cachedContentTokenCount: 200_000,
    promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 600_000 }, { modality: 'TEXT', tokenCount: 400_000 }],
    cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 100_000 }, { modality: 'TEXT', tokenCount: 100_000 }],
  });
  expect(t).toEqual({ input: 800_000, cached: 200_000, output: 0, thinking: 0, audio: 500_000, audioCached: 100_000 });
  // 300k text × 0.30 + 500k audio × 1.00 + 100k cached text × 0.03 + 100k cached audio × 0.10
  expect(costMicros(prices, 'gemini-2.5-flash', '2026-11-22', t).micros).toBe(90_000 + 500_000 + 3_000 + 10_000);
  // 3.5 Flash-Lite: $0.30 and $0.03 for every modality.
  expect(costMicros(prices, 'gemini-3.5-flash-lite', '2026-11-22', t).micros).toBe(800_000 * 0.3 + 200_000 * 0.03);
  // No audio: the counts carry no audio fields.
  expect(tokenCounts({ promptTokenCount: 10, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 10 }] })).toEqual({ input: 10, cached: 0, output: 0, thinking: 0 });
});
