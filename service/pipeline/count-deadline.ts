/**
 * Longest the count of a prompt with media by URI may take, over every model asked (see count-prompt.ts).
 * It comes before admission and the request's own deadline, so the deployment leaves room for it under the
 * platform's request timeout (infra/gateway-runtime.ts).
 */
export const COUNT_DEADLINE_MS = 10_000;
