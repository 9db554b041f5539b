/**
 * A patient's consent actions as the portal performs them, over the public API only: draft (GraphQL), sign the
 * EIP-712 typed data with the patient's own key, seal the key releases to the gateway's release key, grant; and
 * the same for revocations. For integration tests and the benchmarks.
 */
import { Wallet } from 'ethers';
import { buildStoreClaim, type Compartment, type consentDomain, type ConsentPurpose, consentIdOf, fromBase64Url, grantTypedData, nobleX25519, parseTypedData, type PatientKeys, purposeId, scopeHash, sealReleases, signConsentTypedData } from '../../gateway/src/crypto/index.js';

/** One GraphQL call; answers `{ data, errors }` as the gateway sent them. */
export async function graphql<T = Record<string, unknown>>(baseUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; data: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  return { status: response.status, ...body };
}

/** As {@link graphql}, but throws with the messages when there were errors. */
export async function graphqlOk<T = Record<string, unknown>>(baseUrl: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await graphql<T>(baseUrl, token, query, variables);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${result.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  return result.data;
}

export const CONSENT_FIELDS = 'id patientId purpose compartments models notBefore notAfter status chainId grantTransaction grantBlock revokeTransaction revokeBlock fhirConsentId grantee { id kind name reference }';

export interface GrantedConsent {
  readonly id: string;
  readonly patientId: string;
  readonly purpose: string;
  readonly compartments: string[];
  readonly models: string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly status: string;
  readonly chainId: number;
  readonly grantTransaction: string;
  readonly grantBlock: number;
  readonly revokeTransaction: string | null;
  readonly revokeBlock: number | null;
  readonly fhirConsentId: string | null;
  readonly grantee: { id: string; kind: string; name: string; reference: string };
}

export interface Directory {
  readonly consentDirectory: { id: string; kind: string; name: string; reference: string }[];
}

/** The directory entry of a grantee by reference (`user:<sub>`, `client:<id>`, `role:clinician`). */
export async function granteeByReference(baseUrl: string, patientToken: string, reference: string): Promise<string> {
  const { consentDirectory } = await graphqlOk<Directory>(baseUrl, patientToken, '{ consentDirectory { id kind name reference } }');
  const entry = consentDirectory.find((g) => g.reference === reference);
  if (!entry) throw new Error(`no directory entry ${reference}`);
  return entry.id;
}

export interface GrantRequest {
  readonly granteeId: string;
  readonly purpose: string;
  readonly compartments: readonly Compartment[];
  readonly models?: readonly string[];
  readonly durationDays?: number;
}

/** Draft → sign → seal releases → grant, as the portal does. Returns the granted consent. */
export async function grantConsent(baseUrl: string, patientToken: string, keys: PatientKeys, request: GrantRequest): Promise<GrantedConsent> {
  const { draftConsent: draft } = await graphqlOk<{ draftConsent: { consentId: string; typedData: string; scope: string; releaseKey: string; patientAddress: string; notAfter: number } }>(
    baseUrl,
    patientToken,
    'mutation($input: ConsentDraftInput!) { draftConsent(input: $input) { consentId typedData scope releaseKey patientAddress notAfter } }',
    { input: { granteeId: request.granteeId, purpose: request.purpose, compartments: request.compartments, models: request.models ?? [], durationDays: request.durationDays ?? 30 } },
  );
  const signature = await signConsentTypedData(new Wallet(keys.signingKey), parseTypedData(draft.typedData, 'Grant'));
  const releases = sealReleases(nobleX25519, fromBase64Url(draft.releaseKey, 'releaseKey'), keys, request.compartments, { consentId: draft.consentId, patient: draft.patientAddress, notAfter: draft.notAfter });
  const { grantConsent: consent } = await graphqlOk<{ grantConsent: GrantedConsent }>(baseUrl, patientToken, `mutation($input: ConsentGrantInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`, {
    input: { typedData: draft.typedData, signature, scope: draft.scope, releases },
  });
  return consent;
}

/** Draft → sign → revoke. Returns the revoked consent. */
export async function revokeConsent(baseUrl: string, patientToken: string, keys: PatientKeys, consentId: string): Promise<GrantedConsent> {
  const { draftRevocation } = await graphqlOk<{ draftRevocation: { typedData: string } }>(baseUrl, patientToken, 'mutation($id: String!) { draftRevocation(consentId: $id) { typedData } }', { id: consentId });
  const signature = await signConsentTypedData(new Wallet(keys.signingKey), parseTypedData(draftRevocation.typedData, 'Revoke'));
  const { revokeConsent: consent } = await graphqlOk<{ revokeConsent: GrantedConsent }>(baseUrl, patientToken, `mutation($input: ConsentRevokeInput!) { revokeConsent(input: $input) { ${CONSENT_FIELDS} } }`, {
    input: { typedData: draftRevocation.typedData, signature },
  });
  return consent;
}

/**
 * As {@link grantConsent}, but for an explicit window (unix seconds) the draft cannot express, e.g. a consent that
 * ends in a few seconds: the portal re-signs the draft's typed data (same nonce, deadline and scope) with the
 * window and seals the releases to its `notAfter`.
 */
export async function grantConsentWindow(baseUrl: string, patientToken: string, keys: PatientKeys, request: GrantRequest, window: { readonly notBefore: number; readonly notAfter: number }): Promise<GrantedConsent> {
  const { draftConsent: draft } = await graphqlOk<{ draftConsent: { typedData: string; scope: string; releaseKey: string; patientAddress: string } }>(
    baseUrl,
    patientToken,
    'mutation($input: ConsentDraftInput!) { draftConsent(input: $input) { typedData scope releaseKey patientAddress } }',
    { input: { granteeId: request.granteeId, purpose: request.purpose, compartments: request.compartments, models: request.models ?? [], durationDays: 1 } },
  );
  const drafted = JSON.parse(draft.typedData) as { domain: ReturnType<typeof consentDomain>; message: { nonce: string; deadline: string } };
  const typed = grantTypedData(drafted.domain, {
    patient: draft.patientAddress,
    grantee: request.granteeId,
    purpose: purposeId(request.purpose as ConsentPurpose),
    scopeHash: scopeHash(draft.scope),
    notBefore: window.notBefore,
    notAfter: window.notAfter,
    nonce: drafted.message.nonce,
    deadline: drafted.message.deadline,
  });
  const consentId = consentIdOf(draft.patientAddress, drafted.message.nonce);
  const releases = sealReleases(nobleX25519, fromBase64Url(draft.releaseKey, 'releaseKey'), keys, request.compartments, { consentId, patient: draft.patientAddress, notAfter: window.notAfter });
  const { grantConsent: consent } = await graphqlOk<{ grantConsent: GrantedConsent }>(baseUrl, patientToken, `mutation($input: ConsentGrantInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`, {
    input: { typedData: JSON.stringify(typed), signature: await signConsentTypedData(new Wallet(keys.signingKey), typed), scope: draft.scope, releases },
  });
  return consent;
}

/** Claims the patient's store with these keys (POST /api/patient-store/claim, as the portal does); throws unless 200. */
export async function claimStore(baseUrl: string, patientToken: string, keys: PatientKeys, patientId: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/patient-store/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${patientToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(await buildStoreClaim(keys, patientId, baseUrl)),
  });
  if (response.status !== 200) throw new Error(`claim of Patient/${patientId}: expected 200, got ${response.status} ${await response.text()}`);
}
