// Preloaded into the gateway process by test/system/hostile-corpus.test.ts only
// (NODE_OPTIONS="--expose-gc --require <this file>"). On SIGUSR2 it runs a full garbage collection and
// writes the JS heap still in use to stderr, so the test can tell retained memory from garbage V8 has
// not collected yet. Production never loads it.
'use strict';
process.on('SIGUSR2', () => {
  global.gc();
  process.stderr.write(`gc-on-signal ${JSON.stringify({ heapUsed: process.memoryUsage().heapUsed })}\n`);
});
