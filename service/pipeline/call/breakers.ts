/**
 * One circuit breaker per (backend, model, credential), from cockatiel: it opens when the share of failed
 * calls over a sliding window passes a threshold — but only over a minimum number of calls, so a quiet
 * model does not trip on one error — lets one probe through after a pause (half-open), and closes again
 * when the probe succeeds. State changes are reported as events.
 */
import { circuitBreaker, CircuitState, handleWhen, SamplingBreaker, type CircuitBreakerPolicy } from 'cockatiel';
import type { BackendKind } from '../../upstream/types';
import type { BreakerState, PipelineEvents } from '../events';
import { isBreakerFailure } from './failures';

export interface BreakerOptions {
  failureRatio: number;
  minRequests: number;
  windowMs: number;
  halfOpenAfterMs: number;
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

export class Breakers {
  private readonly byKey = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly options: BreakerOptions,
    private readonly events: PipelineEvents,
  ) {}

  for(backend: BackendKind, model: string, credential: string): CircuitBreakerPolicy {
    const key = `${backend}|${model}|${credential}`;
    let breaker = this.byKey.get(key);
    if (!breaker) {
      breaker = circuitBreaker(handleWhen(isBreakerFailure), {
        halfOpenAfter: this.options.halfOpenAfterMs,
        breaker: new SamplingBreaker({
          threshold: this.options.failureRatio,
          duration: this.options.windowMs,
          minimumRps: this.options.minRequests / (this.options.windowMs / 1000),
        }),
      });
      breaker.onStateChange((state) => this.events.breakerState({ backend, model, state: STATE_NAMES[state] }));
      this.byKey.set(key, breaker);
    }
    return breaker;
  }

  stateOf(backend: BackendKind, model: string, credential: string): BreakerState {
    const breaker = this.byKey.get(`${backend}|${model}|${credential}`);
    return breaker ? STATE_NAMES[breaker.state] : 'closed';
  }
}
