/**
 * A root sampler that keeps another sampler's decisions, but at most `perSecond` sampled traces a second.
 *
 * Why: a sampled trace costs the gateway far more than an unsampled one (its spans are recorded, held for
 * the export batch, serialised and sent), so with a ratio alone tracing takes a share of the CPU that grows
 * with the load. In the benchmark at full load, sampling 10% of new traces took the gateway from 0.75 of its
 * telemetry-off throughput to 0.92 once capped at 10 a second (README, Performance). A cap bounds the cost
 * while a quiet instance still samples its full ratio; X-Ray (a reservoir a second) and Jaeger (rate
 * limiting) bound theirs the same way.
 *
 * A token bucket: it holds at most `perSecond` tokens (at least 1, so a rate below one a second still
 * samples), refills continuously, and each trace the inner sampler samples takes one; with none left, the
 * trace is not sampled. Traces the inner sampler drops take nothing. Under `ParentBasedSampler` the gateway
 * has two: one for new traces (`GATEWAY_TRACES_PER_SECOND`), one for traces callers sampled
 * (`GATEWAY_CALLER_TRACES_PER_SECOND`), so callers that sample everything cannot use up the first.
 */
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

export class RateLimitedSampler implements Sampler {
  private readonly capacity: number;
  private tokens: number;
  private refilledAt: number;

  /**
   * @param perSecond most traces sampled a second; positive and finite.
   * @param now a clock in milliseconds (tests pass their own).
   */
  constructor(
    private readonly inner: Sampler,
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`traces per second must be positive and finite, got ${perSecond}`);
    this.capacity = Math.max(1, perSecond);
    this.tokens = this.capacity;
    this.refilledAt = now();
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const result = this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (result.decision !== SamplingDecision.RECORD_AND_SAMPLED) return result;
    return this.take() ? result : NOT_SAMPLED;
  }

  toString(): string {
    return `RateLimitedSampler{${this.inner.toString()}, at most ${this.perSecond}/s}`;
  }

  private take(): boolean {
    const at = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((at - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = at;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
