/**
 * The authenticated caller, as the gateway derived it from a validated access token. Everything here comes from
 * the token's claims (Keycloak's shape): nothing is looked up elsewhere.
 */
export interface Principal {
  /** `sub`: the identity provider's stable user id (pseudonymous). */
  readonly subject: string;
  /** `preferred_username` (falls back to `sub`). */
  readonly username: string;
  /** Realm roles (`realm_access.roles`): patient, clinician, hospital-system, auditor, steward. */
  readonly roles: readonly string[];
  /** `azp`: the client the token was issued to. */
  readonly clientId: string;
  /** `fhir_patient`: the FHIR Patient id of a patient user. */
  readonly fhirPatient?: string;
  /** `iss`: Keycloak's `<auth-server-url>/realms/<realm>`. */
  readonly issuer: string;
  /** `jti`: the token's id, for audit records (never the token itself). */
  readonly tokenId: string;
  /** `exp`, as a date. */
  readonly expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the global AuthGuard once the bearer token is validated; absent on public routes. */
    principal?: Principal;
  }
}
