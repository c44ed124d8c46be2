/**
 * The Node.js flags the gateway process runs with. The container's command (Dockerfile), `npm start`, the
 * tests that start the compiled gateway and the benchmark's gateway all use these; a test holds the
 * Dockerfile and `npm start` to this list.
 *
 * - `--experimental-async-context-frame`: AsyncLocalStorage, which carries the active trace context,
 *   without async_hooks (they otherwise run on every promise): about 7% less CPU per request in the
 *   benchmark with telemetry on. It is the default from Node 24; Node 22 has it behind this flag.
 *
 * V8's young generation keeps its default size (semi-spaces up to 16 MiB): either way from there trades
 * memory for CPU. Capping it at 8 MiB once saved about 19 MB of peak memory holding 1,000 streams; since
 * model calls skip Express it saves little (176 MB either way in one interleaved comparison, 172 MB against
 * 180–182 MB across benchmark runs) and costs 10–18% more CPU per request with 100–256 slow calls in
 * flight, whose objects then outlive the young generation and are promoted. At 2 MiB the peak was 154 MB
 * (default 183–186 MB) for 12% more CPU per cache miss; `--optimize-for-size` reached 144 MB for 2.5 times
 * the CPU. The other way, 64 MiB cut CPU per miss by 16% with 256 calls in flight on an upstream answering
 * in 60 ms (fewer of their objects outlive a scavenge) and raised that peak to 233 MB (32 MiB: 8%, 201 MB);
 * with calls that take seconds, as model calls do, their objects outlive any young generation.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--experimental-async-context-frame'];
