/** The key-rotation job's HTTP paths, shared with the infrastructure that points Pub/Sub and Cloud Scheduler at them. */
export const ROTATION_JOB_ROUTES = {
  health: '/healthz',
  secretEvents: '/pubsub/secret-events',
  retire: '/retire',
} as const;
