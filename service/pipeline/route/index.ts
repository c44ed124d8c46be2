/**
 * Route stage: from the model a caller asked for to the concrete model and upstream that serve it. Tiers
 * and aliases (`fast`, `balanced`, `precise`), policy rules (caller, prompt size), Google's model
 * shutdowns remapped in config (a deprecation notice before, a transparent remap after), allow-lists, the
 * backend of each model (a Vertex endpoint's models go to Vertex), and the fallback chain to try when the
 * model is unavailable.
 */
import type { ModelPolicy, RouteRule } from '../../config/policy';
import { GoogleApiError, tunedModelsNotOnVertex } from '../../protocol/errors';
import type { BackendKind } from '../../upstream/types';
import type { Caller } from '../authenticate';

export interface RouteRequest {
  requestedModel: string;
  caller: Caller;
  estimatedInputTokens: number;
  /** Tuned or dedicated Vertex endpoints are routed as they are. */
  isEndpoint: boolean;
  /** A Gemini API tuned model (`tunedModels/…`): only AI Studio serves one. */
  isTunedModel?: boolean;
}

export interface Deprecation {
  model: string;
  replacement: string;
  shutdown: string;
  /** True once the shutdown date has passed and the request went to the replacement. */
  remapped: boolean;
}

export interface RouteDecision {
  requestedModel: string;
  model: string;
  backend: BackendKind;
  /** Models to try after `model`, in order, each on its own backend. */
  fallbacks: Array<{ model: string; backend: BackendKind }>;
  deprecation?: Deprecation;
}

export interface RouteOptions {
  policy: ModelPolicy;
  defaultBackend: BackendKind;
  /** The upstreams this gateway has: a Vertex endpoint is served only when Vertex is among them. */
  backends: readonly BackendKind[];
  /** Model names a Vertex AI endpoint serves (GATEWAY_VERTEX_ENDPOINT_MODELS): Vertex whatever the default. */
  vertexEndpointModels?: readonly string[];
  now?: () => Date;
}

function ruleMatches(rule: RouteRule, request: RouteRequest, resolved: string): boolean {
  if (rule.callers && !rule.callers.includes(request.caller.id)) return false;
  if (rule.models && !rule.models.includes(request.requestedModel) && !rule.models.includes(resolved)) return false;
  if (rule.maxInputTokens !== undefined && request.estimatedInputTokens > rule.maxInputTokens) return false;
  return true;
}

/**
 * The model a name stands for outside a call (models.get): an alias resolved, a retired id past its shutdown
 * replaced. A call's route may also apply routing rules, which depend on the caller and the request.
 */
export function modelNamed(policy: ModelPolicy, name: string, now: Date = new Date()): string {
  const model = policy.aliases[name] ?? name;
  return retirementOf(policy, model, now)?.replacementNow ?? model;
}

/** A retired model's notice, and its replacement once the shutdown date has come. */
function retirementOf(policy: ModelPolicy, model: string, now: Date): { deprecation: Deprecation; replacementNow?: string } | undefined {
  const retired = policy.retired[model];
  if (!retired) return undefined;
  const remapped = now.toISOString().slice(0, 10) >= retired.shutdown;
  return { deprecation: { model, replacement: retired.replacement, shutdown: retired.shutdown, remapped }, ...(remapped && { replacementNow: retired.replacement }) };
}

export function createRoute(options: RouteOptions): (request: RouteRequest) => RouteDecision {
  const { policy, defaultBackend } = options;
  const endpointModels = new Set(options.vertexEndpointModels);
  const now = options.now ?? (() => new Date());

  const allowedFor = (caller: Caller, requested: string, model: string): boolean =>
    (!policy.allow || policy.allow.includes(model)) &&
    (!caller.policy.models || caller.policy.models.includes(model) || caller.policy.models.includes(requested));

  return function route(request: RouteRequest): RouteDecision {
    if (request.isTunedModel && !options.backends.includes('ai-studio')) {
      throw tunedModelsNotOnVertex(`tunedModels/${request.requestedModel}`);
    }
    if (request.isEndpoint) {
      if (!options.backends.includes('vertex')) {
        throw new GoogleApiError(400, `${request.requestedModel} is a Vertex AI endpoint, and this gateway calls only the Gemini API (AI Studio); call a model by name instead.`, { status: 'FAILED_PRECONDITION' });
      }
      return { requestedModel: request.requestedModel, model: request.requestedModel, backend: 'vertex', fallbacks: [] };
    }
    let model = policy.aliases[request.requestedModel] ?? request.requestedModel;
    const rule = policy.rules.find((r) => ruleMatches(r, request, model));
    if (rule) model = rule.routeTo;

    const retirement = retirementOf(policy, model, now());
    const deprecation = retirement?.deprecation;
    model = retirement?.replacementNow ?? model;

    if (!allowedFor(request.caller, request.requestedModel, model)) {
      throw new GoogleApiError(403, `Model ${request.requestedModel} is not allowed for caller ${request.caller.id}.`);
    }
    const backendOf = (m: string): BackendKind => (endpointModels.has(m) ? 'vertex' : (policy.backends[m] ?? defaultBackend));
    // Each model once: a chain that names one twice would ask it twice (and admit it twice).
    const chain = [...new Set(policy.fallbacks[model] ?? [])];
    const fallbacks = chain.filter((m) => m !== model && allowedFor(request.caller, m, m)).map((m) => ({ model: m, backend: backendOf(m) }));
    return { requestedModel: request.requestedModel, model, backend: backendOf(model), fallbacks, deprecation };
  };
}

/** The deprecation notice sent to the caller as a response header. */
export function deprecationNotice(d: Deprecation): string {
  return d.remapped
    ? `${d.model} was shut down on ${d.shutdown}; served by ${d.replacement}. Update your code to ${d.replacement}.`
    : `${d.model} shuts down on ${d.shutdown}; it will then be served by ${d.replacement}. Move to ${d.replacement} before that.`;
}
