import { OperationOutcomeError } from '../common/index.js';
import { bearerToken, decodeJwt } from './bearer-token.js';

function diagnostics(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof OperationOutcomeError ? `${error.status} ${error.outcome.issue[0]!.code}: ${error.outcome.issue[0]!.diagnostics}` : String(error);
  }
}

describe('reading the bearer token from the Authorization header (RFC 6750 §2.1)', () => {
  it('takes the token after "Bearer", case-insensitively', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def-_~+/=')).toBe('abc.def-_~+/=');
  });

  it('answers a missing header with 401 login "missing bearer token"', () => {
    expect(diagnostics(() => bearerToken(undefined))).toBe('401 login: missing bearer token: send "Authorization: Bearer <access token>"');
    expect(diagnostics(() => bearerToken(''))).toBe('401 login: missing bearer token: send "Authorization: Bearer <access token>"');
  });

  it.each(['Basic abc', 'Bearer', 'Bearer  ', 'Bearer a b', 'Bearer a,b', 'Bearerabc'])('answers %j with 401 login "malformed Authorization header"', (header) => {
    expect(diagnostics(() => bearerToken(header))).toBe('401 login: malformed Authorization header: expected "Bearer <access token>"');
  });

  it('answers repeated Authorization headers as malformed', () => {
    expect(diagnostics(() => bearerToken(['Bearer a', 'Bearer b']))).toBe('401 login: malformed Authorization header: expected "Bearer <access token>"');
  });
});

describe('decoding a compact JWS without trusting it', () => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('decodes header and payload', () => {
    expect(decodeJwt(`${part({ alg: 'RS256' })}.${part({ sub: 'x' })}.c2ln`)).toEqual({ header: { alg: 'RS256' }, payload: { sub: 'x' } });
  });

  it.each(['a.b', 'a.b.c.d', `${part({ alg: 'RS256' })}.${part([1])}.c2ln`, `${part('x')}.${part({})}.c2ln`, 'not!base64.x.y', `${part({ alg: 'RS256' })}.${part({})}.`])('rejects %j', (token) => {
    expect(decodeJwt(token)).toBeUndefined();
  });
});
