/**
 * The Node.js flags the gateway process runs with. The container's command (Dockerfile), `npm start`, the
 * tests that start the compiled gateway and the benchmark's gateway all use these; a test holds the
 * Dockerfile and `npm start` to this list.
 *
 * - `--experimental-async-context-frame`: AsyncLocalStorage, which carries the active trace context,
 *   without async_hooks (they otherwise run on every promise): about 7% less CPU per request in the
 *   benchmark with telemetry on. It is the default from Node 24; Node 22 has it behind this flag.
 * - `--max-semi-space-size=8`: V8's young generation in 8 MiB semi-spaces instead of up to 16 MiB: about
 *   19 MB less peak memory while holding 1,000 streams, at no measured throughput cost. (2 MiB saves 9 MB
 *   more but costs about 15% more CPU per request in minor collections.)
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--experimental-async-context-frame', '--max-semi-space-size=8'];
