import type { Principal } from './principal.js';

/** The verifier's readiness, as /health/ready reports it. */
export interface VerifierReadiness {
  readonly up: boolean;
  readonly detail: string;
}

/**
 * The port between the gateway and its identity provider: turns a bearer access token into a {@link Principal}
 * or rejects it with a 401 OperationOutcome (code `login`) saying what was wrong. The abstract class doubles as
 * the Nest injection token (`constructor(private readonly verifier: TokenVerifier)`).
 * Implementations never log or echo the token.
 */
export abstract class TokenVerifier {
  /** @throws OperationOutcomeError 401 (login) for a token the gateway must not accept; 503 if keys are unavailable. */
  abstract verify(token: string): Promise<Principal>;

  /** Readiness: the identity provider's signing keys can be fetched. */
  abstract checkReady(): Promise<VerifierReadiness>;
}
