// Preloaded into the gateway process by the system tests that measure memory (GC_HOOK_NODE_OPTIONS in
// processes.ts). On SIGUSR2 it runs a full garbage collection and writes the JS heap and the Buffer memory
// still in use to stderr, so a test can tell retained memory from garbage V8 has not collected yet.
// Production never loads it.
'use strict';
process.on('SIGUSR2', () => {
  global.gc();
  process.stderr.write(`gc-on-signal ${JSON.stringify({ heapUsed: process.memoryUsage().heapUsed, arrayBuffers: process.memoryUsage().arrayBuffers })}\n`);
});
