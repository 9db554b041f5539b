/**
 * The one error vocabulary of the gateway: FHIR R4 OperationOutcome (FHIR R4 §3.1.0.1.4, "OperationOutcome").
 * Domain code throws {@link OperationOutcomeError} built from the helpers below; a single filter maps it to an
 * HTTP status (REST) or to GraphQL error extensions.
 */

/** FHIR R4 IssueSeverity value set. */
export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

/** The subset of FHIR R4 IssueType codes the gateway uses. */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'not-found'
  | 'deleted'
  | 'conflict'
  | 'too-long'
  | 'not-supported'
  | 'processing'
  | 'too-costly'
  | 'throttled'
  | 'transient'
  | 'exception'
  | 'informational';

export interface OperationOutcomeIssue {
  severity: IssueSeverity;
  code: IssueType;
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

/** An error that carries its HTTP status and its OperationOutcome. Messages never contain health data or secrets. */
export class OperationOutcomeError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
  ) {
    super(outcome.issue.map((i) => i.diagnostics ?? i.code).join('; '));
    this.name = 'OperationOutcomeError';
  }
}

/** Builds a one-issue OperationOutcome. */
export function outcome(severity: IssueSeverity, code: IssueType, diagnostics: string, expression?: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity, code, diagnostics, ...(expression ? { expression: [expression] } : {}) }],
  };
}

/** The 404 for a request no route matched; names the path only, never the query string (it may carry identifiers). */
export function noRouteOutcome(method: string, url: string): OperationOutcome {
  return outcome('error', 'not-found', `no route for ${method} ${url.split('?')[0]}`);
}

const make = (status: number, code: IssueType) => (diagnostics: string, expression?: string) =>
  new OperationOutcomeError(status, outcome('error', code, diagnostics, expression));

export const badRequest = make(400, 'invalid');
export const unauthorized = make(401, 'login');
export const forbidden = make(403, 'forbidden');
export const notFound = make(404, 'not-found');
export const methodNotAllowed = make(405, 'not-supported');
export const notAcceptable = make(406, 'not-supported');
export const conflict = make(409, 'conflict');
export const gone = make(410, 'deleted');
export const preconditionFailed = make(412, 'conflict');
export const payloadTooLarge = make(413, 'too-long');
export const unsupportedMediaType = make(415, 'not-supported');
export const unprocessable = make(422, 'processing');
export const tooManyRequests = make(429, 'throttled');
export const serviceUnavailable = make(503, 'transient');
/** For failures that are ours, not the caller's: the diagnostics stay generic; details go to the log only. */
export const internalError = make(500, 'exception');

/** FHIR IssueType for an HTTP status, for errors raised outside domain code (router, body parser). */
export function issueTypeForStatus(status: number): IssueType {
  switch (status) {
    case 401:
      return 'login';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
    case 406:
    case 415:
      return 'not-supported';
    case 409:
    case 412:
      return 'conflict';
    case 410:
      return 'deleted';
    case 413:
      return 'too-long';
    case 422:
      return 'processing';
    case 429:
      return 'throttled';
    case 503:
      return 'transient';
    default:
      return status >= 500 ? 'exception' : 'invalid';
  }
}
