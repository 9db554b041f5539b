// Prints one plain closing line, "N passed, N failed, N skipped", after Jest's own summary, so that any CI
// reading test output (not only Jest-aware ones) sees how many tests ran and failed.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
