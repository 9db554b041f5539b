/** `Prefer: return=…` (FHIR R4 http.html#ops, RFC 7240 §4.2). */
export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

/** `Prefer: handling=…` (FHIR R4 search.html#errors, RFC 7240 §4.4). */
export type Handling = 'strict' | 'lenient';

/** The client's preferences the gateway honours. */
export interface Preferences {
  /** What to return after a write; a representation unless the client asks otherwise. */
  readonly return: ReturnPreference;
  /** How to treat unknown or unsupported search parameters; lenient unless asked otherwise. */
  readonly handling: Handling;
}

const RETURNS: ReadonlySet<string> = new Set(['minimal', 'representation', 'OperationOutcome']);

/**
 * Parses one or more Prefer headers. Unknown preferences and values are ignored (RFC 7240 §2: "a server that
 * does not recognise a preference ignores it").
 */
export function parsePrefer(header: string | readonly string[] | undefined): Preferences {
  let ret: ReturnPreference = 'representation';
  let handling: Handling = 'lenient';
  const headers = header === undefined ? [] : typeof header === 'string' ? [header] : header;
  for (const preference of headers.flatMap((h) => h.split(','))) {
    // RFC 7240 preference parameters (after ';') are defined for neither preference: only the token counts.
    const token = preference.split(';')[0]!;
    const eq = token.indexOf('=');
    if (eq < 0) continue;
    const name = token.slice(0, eq).trim().toLowerCase();
    const value = token.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name === 'return' && RETURNS.has(value)) ret = value as ReturnPreference;
    if (name === 'handling' && (value === 'strict' || value === 'lenient')) handling = value;
  }
  return { return: ret, handling };
}
