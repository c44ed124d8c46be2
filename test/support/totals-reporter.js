// Jest reporter: ends every run with one plain line, `N passed, N failed`, which CI reads to tell a run that
// executed no test from a green one. Written at process exit, after jest's own summary, so it is the last line.
const { writeSync } = require('node:fs');

class TotalsReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    process.once('exit', () => writeSync(2, line));
  }
}
module.exports = TotalsReporter;
