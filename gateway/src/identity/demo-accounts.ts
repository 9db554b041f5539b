/**
 * The documented demo secrets of the realm file's demo accounts (users and clients marked `demo`). The realm file
 * stores only PBKDF2 hashes of these passwords; a unit test checks that every stored hash verifies against the
 * password listed here, so the two cannot drift apart.
 *
 * Demo accounts exist for the embedded (development) mode only: in production the embedded identity provider does
 * not load them and the gateway rejects their tokens. Every password is at least 14 characters, so Keycloak
 * versions that pad shorter PBKDF2 inputs (FIPS workaround) and those that do not derive the same hash.
 */
export const DEMO_USER_PASSWORDS: Readonly<Record<string, string>> = {
  alice: 'alice-patient-demo',
  bob: 'bob-patient-demo',
  'dr.chen': 'chen-clinician-demo',
  'dr.patel': 'patel-clinician-demo',
  audrey: 'audrey-auditor-demo',
  sam: 'sam-steward-demo',
};

/**
 * The demo patients' BIP-39 mnemonics (design.md §3: fixed and documented, embedded mode only). Each is the
 * 24-word encoding of SHA-256("fhir-gateway demo patient <username>"), so anyone can re-derive it; a real patient's
 * mnemonic is generated in their browser and never leaves it.
 */
export const DEMO_PATIENT_MNEMONICS: Readonly<Record<string, string>> = {
  alice: 'salad turkey often jaguar abstract palm tobacco achieve suit visit address scare twist example there drift month link space next salad angle trouble trick',
  bob: 'twin provide blame use believe best adapt dog surge segment borrow bullet layer rain avoid lady exit upon know fringe grow essence gentle plate',
};

/** Client secrets of the demo confidential clients (Keycloak exports client secrets as they are). */
export const DEMO_CLIENT_SECRETS: Readonly<Record<string, string>> = {
  'demo-hospital': 'FYBRjFWVeZkz1znZNXeQuSRE6nCSqCpy',
};

/** One demo user as listed at boot and in `<dataDir>/demo-accounts.json`. */
export interface DemoUser {
  /** The token `sub` (the realm file's fixed user id). */
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly roles: readonly string[];
  /** The FHIR Patient id of a patient user (`fhir_patient` claim). */
  readonly fhirPatient?: string;
  /** A demo patient's BIP-39 mnemonic, from which the key library derives their signing and compartment keys. */
  readonly mnemonic?: string;
}

/** One demo confidential client (client_credentials). */
export interface DemoClient {
  readonly clientId: string;
  readonly secret: string;
  readonly roles: readonly string[];
}

/** The demo accounts the embedded identity provider serves, for the startup banner and `demo-accounts.json`. */
export interface DemoAccounts {
  /** Token endpoint, so scripts need nothing else to log in. */
  readonly tokenEndpoint: string;
  /** The public client to use with the password grant. */
  readonly passwordGrantClientId?: string;
  readonly users: readonly DemoUser[];
  readonly clients: readonly DemoClient[];
}
