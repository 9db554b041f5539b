import { OperationOutcomeError } from '../../common/index.js';

/** `<status> <code>: <diagnostics> @ <expressions>` of the first issue a call throws, or `ok` (for exact assertions). */
export function outcomeOf(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    return describeOutcome(error);
  }
}

/** The same for a promise. */
export async function asyncOutcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return describeOutcome(error);
  }
}

function describeOutcome(error: unknown): string {
  if (!(error instanceof OperationOutcomeError)) throw error;
  const issue = error.outcome.issue[0]!;
  return `${error.status} ${issue.code}: ${issue.diagnostics}${issue.expression ? ` @ ${issue.expression.join(', ')}` : ''}`;
}
