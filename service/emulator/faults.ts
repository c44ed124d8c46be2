/**
 * Fault injection for the emulator: rules set per run (EMULATOR_FAULTS) or at run time (admin endpoint),
 * each for all models or one, firing with a probability and/or a limited number of times.
 */
import { z } from 'zod';

export const FAULT_KINDS = [
  'status', // answer at once with a Google error body (429 carries RetryInfo)
  'timeout', // accept the request and never answer
  'reset', // destroy the connection without an answer
  'midstream-error', // stream `afterChunks` chunks, then a `data: {"error":…}` event (unary: a cut body)
  'stall', // stream `afterChunks` chunks, then go silent with the connection open
  'truncate', // stream `afterChunks` chunks, then end cleanly without the rest (no finishReason)
  'blocked', // answer with finishReason SAFETY and no text
  'latency', // add `latencyMs` before the first byte, then answer normally
] as const;

export const faultRuleSchema = z
  .object({
    kind: z.enum(FAULT_KINDS),
    model: z.string().min(1).optional(),
    method: z.string().min(1).optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    retryDelaySeconds: z.number().min(0).optional(),
    latencyMs: z.number().int().min(0).optional(),
    afterChunks: z.number().int().min(0).optional(),
    probability: z.number().min(0).max(1).default(1),
    count: z.number().int().min(0).optional(),
  })
  .strict();

export type FaultRule = z.output<typeof faultRuleSchema>;
/** A rule as written by hand (defaults such as `probability: 1` may be left out). */
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export const faultListSchema = z.array(faultRuleSchema);

export function parseFaults(json: string | undefined): FaultRule[] {
  if (json === undefined || json.trim() === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`EMULATOR_FAULTS: not valid JSON: ${(error as Error).message}`);
  }
  const result = faultListSchema.safeParse(raw);
  if (!result.success) throw new Error(`EMULATOR_FAULTS: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Holds the active rules; `pick` consumes one occurrence of the first rule that fires. */
export class FaultBook {
  private rules: FaultRule[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  set(rules: readonly FaultRuleInput[]): void {
    this.rules = rules.map((r) => faultRuleSchema.parse(r));
  }

  add(rule: FaultRuleInput): void {
    this.rules.push(faultRuleSchema.parse(rule));
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  pick(model: string, method: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.model !== undefined && rule.model !== model) continue;
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (rule.probability < 1 && this.random() >= rule.probability) continue;
      if (rule.count !== undefined) rule.count -= 1;
      return { ...rule };
    }
    return undefined;
  }
}
