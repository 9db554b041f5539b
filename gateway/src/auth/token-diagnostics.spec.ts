import { OperationOutcomeError } from '../common/index.js';
import { KEY_ERRORS, tokenRejection } from './token-diagnostics.js';

const expected = { realmUrl: 'http://localhost:8080/auth/realms/fhir-gateway', clientId: 'fhir-gateway' };
const wrapped = (reason: string) => `Grant validation failed. Reason: ${reason}`;

describe("mapping keycloak-connect's grant validation errors to OperationOutcomes", () => {
  it.each([
    [wrapped('invalid token (expired)'), 401, 'login', 'access token expired'],
    [wrapped('invalid token (not signed)'), 401, 'login', 'malformed access token: expected a signed JWT (header.payload.signature)'],
    [wrapped('invalid token (wrong type)'), 401, 'login', 'not a bearer token: typ must be "Bearer"'],
    [wrapped('invalid token (stale token)'), 401, 'login', 'access token issued before the realm not-before time'],
    [wrapped('invalid token (wrong ISS)'), 401, 'login', 'wrong issuer: expected http://localhost:8080/auth/realms/fhir-gateway'],
    [wrapped('invalid token (wrong audience)'), 401, 'login', 'wrong audience: expected aud to contain "fhir-gateway"'],
    [wrapped('invalid token (signature)'), 401, 'login', 'invalid signature'],
    [wrapped('invalid token (public key signature)'), 401, 'login', 'invalid signature'],
    [wrapped(`failed to load public key to verify token. Reason: ${KEY_ERRORS.unknownKid}`), 401, 'login', 'unknown signing key: kid is not in the realm certs'],
    [wrapped(`failed to load public key to verify token. Reason: ${KEY_ERRORS.certsUnavailable}: connect ECONNREFUSED`), 503, 'transient', 'cannot fetch the signing keys of the identity provider; try again later'],
    ['something nobody expected', 401, 'login', 'invalid access token'],
  ])('%s → %i %s', (message, status, code, diagnostics) => {
    const error = tokenRejection(message, expected);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect(error.status).toBe(status);
    expect(error.outcome.issue).toEqual([{ severity: 'error', code, diagnostics }]);
  });
});
