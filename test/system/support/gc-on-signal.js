// Preloaded into the gateway process by the system tests that measure memory (GC_HOOK_NODE_OPTIONS in
// processes.ts). On SIGUSR2 it runs a full garbage collection and writes the JS heap and the Buffer memory
// still in use to stderr, so a test can tell retained memory from garbage V8 has not collected yet.
// It collects twice, 100 ms apart: V8 frees dead Buffers' memory on other threads after a collection, and
// read straight after one, the Buffer figure can still count megabytes of them. Production never loads it.
'use strict';
process.on('SIGUSR2', () => {
  global.gc();
  setTimeout(() => {
    global.gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    process.stderr.write(`gc-on-signal ${JSON.stringify({ heapUsed, arrayBuffers })}\n`);
  }, 100);
});
