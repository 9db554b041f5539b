import { unauthorized } from '../common/index.js';
import { TOKEN_PROBLEMS } from './token-diagnostics.js';

/** RFC 6750 §2.1 `b64token`. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token from an Authorization header (RFC 6750 §2.1).
 * @throws OperationOutcomeError 401 when the header is missing or not `Bearer <token>`.
 */
export function bearerToken(header: string | string[] | undefined): string {
  if (header === undefined || header === '') throw unauthorized(TOKEN_PROBLEMS.missing);
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) throw unauthorized(TOKEN_PROBLEMS.malformedHeader);
  return match[1]!;
}

/** The decoded header and payload of a compact JWS, or undefined when it is not one (RFC 7515 §7.1). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload };
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
