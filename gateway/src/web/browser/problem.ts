/** What the user can do about a problem: retry the same step, sign in again, or nothing but read it. */
export type Recovery = 'retry' | 'sign-in' | 'none';

/**
 * A failure told in words for the person at the screen: a short title, one or two sentences of explanation, and
 * a machine code for tests and logs. The apps show these, never raw JSON or stack traces.
 */
export class Problem extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly code: string,
    readonly recovery: Recovery = 'retry',
  ) {
    super(message);
    this.name = 'Problem';
  }
}

/** The gateway could not be reached at all (offline, wrong address, server down, blocked by policy). */
export function unreachable(what: string): Problem {
  return new Problem('The gateway could not be reached', `${what} failed because the gateway did not answer. Check your connection and try again.`, 'UNREACHABLE');
}

/** The identity provider could not be reached (discovery, token or end-session endpoint). */
export function issuerUnreachable(what: string): Problem {
  return new Problem('The identity provider could not be reached', `${what} failed because the identity provider did not answer. Please try again.`, 'UNREACHABLE', 'sign-in');
}

/** Any thrown value as a {@link Problem}; unknown errors keep their message but lose their internals. */
export function toProblem(error: unknown, title = 'Something went wrong'): Problem {
  if (error instanceof Problem) return error;
  const message = error instanceof Error && error.message ? error.message : 'An unexpected error occurred.';
  return new Problem(title, message, 'UNEXPECTED');
}
