/**
 * The paths a platform probes and scrapes on the gateway. They live here, in the part of the service that
 * `infra/` may import, so the probes and scrape targets infra configures and the routes the gateway serves
 * come from one definition.
 */

/** Liveness: the process serves HTTP. */
export const HEALTH_PATH = '/healthz';
/** Readiness: credentials loaded, state stores answering, not draining. */
export const READINESS_PATH = '/readyz';
/** The Prometheus exposition. */
export const METRICS_PATH = '/metrics';
