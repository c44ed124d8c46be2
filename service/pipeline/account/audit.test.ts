import { callerSchema } from '../../config/policy';
import { parseGeminiPath, type ModelCallPath } from '../../protocol/paths';
import type { Admission, Admitter } from '../admit';
import { NO_EVENTS } from '../events';
import { accountFor, type FallbackAdmission } from './audit';
import { createPriceLookup, DEFAULT_PRICES } from './price-table';

const admission = (model: string): Admission => ({ reservation: { counters: [{ key: `tpm:model:${model}`, windowStartMs: 0, windowMs: 60_000, amount: 100 }] }, modelTokensKey: `tpm:model:${model}`, queuedMs: 0 });

test('usage unknown: of a chain that names a fallback twice, only the admission that answered keeps its hold', async () => {
  const settled: Array<{ model: string; inputTokens: number | undefined; answered: boolean }> = [];
  const admitter = {
    settle: () => Promise.resolve(undefined),
    settleFallback: (fallback: Admission, inputTokens: number | undefined, answered: boolean) => {
      settled.push({ model: fallback.modelTokensKey!, inputTokens, answered });
      return Promise.resolve(undefined);
    },
  } as unknown as Admitter;
  const account = accountFor({ prices: createPriceLookup(DEFAULT_PRICES), admitter, events: NO_EVENTS, audit: () => undefined, promptHmac: (sha) => sha });
  const fallbackAdmissions: FallbackAdmission[] = [
    { model: 'gemini-3.1-pro-preview', admission: admission('gemini-3.1-pro-preview') },
    { model: 'gemini-3.1-pro-preview', admission: admission('gemini-3.1-pro-preview') },
  ];
  await account.record({
    call: { path: parseGeminiPath('/v1beta/models/gemini-3.5-flash-lite:generateContent') as ModelCallPath, inputTokens: 10, maxOutputTokens: 1000 },
    caller: { id: 'team-a', policy: callerSchema.parse({ id: 'team-a' }) },
    route: { requestedModel: 'gemini-3.5-flash-lite', model: 'gemini-3.5-flash-lite', backend: 'ai-studio', fallbacks: [] },
    key: { promptSha256: 'p', cacheKey: 'k' },
    // An answer without usageMetadata: its usage is unknown.
    result: { answer: { kind: 'unary', body: Buffer.from('{}') }, model: 'gemini-3.1-pro-preview', backend: 'ai-studio', retries: 0, fallbackFrom: 'gemini-3.5-flash-lite' },
    admission: admission('gemini-3.5-flash-lite'),
    fallbackAdmissions,
    usageText: undefined,
    outcome: 'success',
    error: undefined,
    cache: 'miss',
    startedMs: 0,
  });
  expect(settled).toEqual([
    { model: 'tpm:model:gemini-3.1-pro-preview', inputTokens: undefined, answered: false },
    { model: 'tpm:model:gemini-3.1-pro-preview', inputTokens: undefined, answered: true },
  ]);
});
