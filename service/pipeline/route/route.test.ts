import { callerSchema, DEFAULT_MODEL_POLICY, modelPolicySchema } from '../../config/policy';
import { GoogleApiError } from '../../protocol/errors';
import type { Caller } from '../authenticate';
import { createRoute, deprecationNotice } from './index';

const caller = (id: string, extra: Record<string, unknown> = {}): Caller => ({ id, policy: callerSchema.parse({ id, ...extra }) });
const at = (day: string) => () => new Date(`${day}T12:00:00Z`);
const BOTH = ['ai-studio', 'vertex'] as const;
const request = (requestedModel: string, who = caller('team-a'), estimatedInputTokens = 100) => ({ requestedModel, caller: who, estimatedInputTokens, isEndpoint: false });

test('tiers resolve to concrete models, with their fallback chain', () => {
  const route = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: BOTH, now: at('2026-11-22') });
  expect(route(request('precise'))).toEqual({
    requestedModel: 'precise',
    model: 'gemini-3.1-pro-preview',
    backend: 'ai-studio',
    fallbacks: [
      { model: 'gemini-3.8-flash', backend: 'ai-studio' },
      { model: 'gemini-3.5-flash-lite', backend: 'ai-studio' },
    ],
  });
  expect(route(request('fast')).model).toBe('gemini-3.5-flash-lite');
});

test('a fallback chain names each model once, and never the model itself', () => {
  const policy = modelPolicySchema.parse({ fallbacks: { 'gemini-3.8-flash': ['gemini-3.1-pro-preview', 'gemini-3.8-flash', 'gemini-3.1-pro-preview', 'gemini-3.5-flash-lite'] } });
  const route = createRoute({ policy, defaultBackend: 'ai-studio', backends: BOTH });
  expect(route(request('gemini-3.8-flash')).fallbacks.map((f) => f.model)).toEqual(['gemini-3.1-pro-preview', 'gemini-3.5-flash-lite']);
});

test('a model shut down is remapped after its date, announced before it', () => {
  const before = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: BOTH, now: at('2026-11-30') })(request('gemini-2.5-pro'));
  expect(before.model).toBe('gemini-2.5-pro');
  expect(before.deprecation).toEqual({ model: 'gemini-2.5-pro', replacement: 'gemini-3.8-flash', shutdown: '2026-12-01', remapped: false });
  const after = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: BOTH, now: at('2026-12-01') })(request('gemini-2.5-pro'));
  expect(after.model).toBe('gemini-3.8-flash');
  expect(deprecationNotice(after.deprecation!)).toMatch(/was shut down on 2026-12-01; served by gemini-3.8-flash/);
});

test('policy rules: small prompts of a high-volume caller go to Flash-Lite; per-model backend', () => {
  const policy = modelPolicySchema.parse({
    rules: [{ callers: ['batch-team'], maxInputTokens: 2000, routeTo: 'gemini-3.5-flash-lite' }],
    backends: { 'gemini-3.5-flash-lite': 'vertex' },
  });
  const route = createRoute({ policy, defaultBackend: 'ai-studio', backends: BOTH });
  expect(route(request('gemini-3.8-flash', caller('batch-team'), 500))).toMatchObject({ model: 'gemini-3.5-flash-lite', backend: 'vertex' });
  expect(route(request('gemini-3.8-flash', caller('batch-team'), 5000))).toMatchObject({ model: 'gemini-3.8-flash', backend: 'ai-studio' });
  expect(route(request('gemini-3.8-flash', caller('other-team'), 500)).model).toBe('gemini-3.8-flash');
});

test('allow-lists: a caller limited to some models gets 403 for others, and fallbacks stay inside its list', () => {
  const route = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: BOTH });
  const limited = caller('team-b', { models: ['precise', 'gemini-3.8-flash'] });
  expect(route(request('precise', limited)).fallbacks).toEqual([{ model: 'gemini-3.8-flash', backend: 'ai-studio' }]);
  expect(() => route(request('gemini-3.5-flash', limited))).toThrow(GoogleApiError);
  const global = createRoute({ policy: modelPolicySchema.parse({ allow: ['gemini-3.5-flash-lite'] }), defaultBackend: 'ai-studio', backends: BOTH });
  expect(() => global(request('gemini-3.8-flash'))).toThrow(/not allowed/);
});

test('a Vertex endpoint on a gateway without Vertex is a 400 FAILED_PRECONDITION, not a gateway fault', () => {
  const route = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: ['ai-studio'] });
  const refusal = (() => {
    try {
      return route({ ...request('1234567'), isEndpoint: true });
    } catch (error) {
      return error;
    }
  })();
  expect(refusal).toBeInstanceOf(GoogleApiError);
  expect(refusal).toMatchObject({ httpStatus: 400, status: 'FAILED_PRECONDITION', message: expect.stringContaining('1234567 is a Vertex AI endpoint') as unknown });
});

test('a Gemini API tuned model on a gateway without AI Studio is a 400 FAILED_PRECONDITION, refused before admission', () => {
  const route = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'vertex', backends: ['vertex'] });
  expect(() => route({ ...request('my-tuned'), isTunedModel: true })).toThrow(GoogleApiError);
  expect(() => route({ ...request('my-tuned'), isTunedModel: true })).toThrow('tunedModels/my-tuned is a tuned model of the Gemini API');
  expect(createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: BOTH })({ ...request('my-tuned'), isTunedModel: true }).backend).toBe('ai-studio');
});

test('tuned or dedicated Vertex endpoints are routed as they are', () => {
  const route = createRoute({ policy: DEFAULT_MODEL_POLICY, defaultBackend: 'ai-studio', backends: BOTH });
  expect(route({ ...request('1234567'), isEndpoint: true })).toEqual({ requestedModel: '1234567', model: '1234567', backend: 'vertex', fallbacks: [] });
});

test('a Vertex endpoint\'s model names go to Vertex whatever the default, also through an alias, and their fallbacks to their own backend', () => {
  const policy = modelPolicySchema.parse({ aliases: { support: 'support-tuned' }, fallbacks: { 'support-tuned': ['gemini-3.5-flash'] } });
  const route = createRoute({ policy, defaultBackend: 'ai-studio', backends: BOTH, vertexEndpointModels: ['support-tuned'] });
  expect(route(request('support-tuned'))).toMatchObject({ model: 'support-tuned', backend: 'vertex', fallbacks: [{ model: 'gemini-3.5-flash', backend: 'ai-studio' }] });
  expect(route(request('support'))).toMatchObject({ requestedModel: 'support', model: 'support-tuned', backend: 'vertex' });
  expect(route(request('gemini-3.5-flash')).backend).toBe('ai-studio');
});
