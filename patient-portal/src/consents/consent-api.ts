import type { GraphqlClient } from '@web';
import { Reader } from './answer-reader.js';
import { ACCESS_TIMELINE, CONSENT_DIRECTORY, DRAFT_CONSENT, DRAFT_REVOCATION, EMERGENCY_ACCESSES, GRANT_CONSENT, MODELS, MY_AUDIT_PSEUDONYM, MY_CONSENTS, REVOKE_CONSENT } from './consent-documents.js';

/** The purposes a patient can choose here; EMERGENCY is only granted through the break-glass switch. */
export const GRANT_PURPOSES = ['TREATMENT', 'DIAGNOSIS', 'RESEARCH'] as const;
export type Purpose = (typeof GRANT_PURPOSES)[number] | 'EMERGENCY';

/** An entry of `consentDirectory`: `id` is the on-chain grantee id (bytes32). */
export interface Grantee {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly reference: string;
}

export interface DraftConsentInput {
  readonly granteeId: string;
  readonly purpose: Purpose;
  readonly compartments: readonly string[];
  readonly models: readonly string[];
  readonly durationDays: number;
}

export interface ConsentDraft {
  readonly consentId: string;
  /** The EIP-712 typed data as the gateway sent it (JSON text), to be checked, signed and sent back unchanged. */
  readonly typedData: string;
  readonly scope: string;
  readonly scopeHash: string;
  readonly releaseKey: string;
  readonly patientAddress: string;
  /** Unix seconds (the gateway may send ISO-8601 or seconds). */
  readonly notBefore: number;
  readonly notAfter: number;
  /** Unix seconds after which the signature is refused on-chain. */
  readonly deadline: number;
}

export interface RevocationDraft {
  readonly consentId: string;
  readonly typedData: string;
  readonly deadline: number;
}

export interface GrantConsentInput {
  readonly typedData: string;
  readonly signature: string;
  readonly scope: string;
  readonly releases: readonly { readonly compartment: string; readonly envelope: string }[];
}

export interface Consent {
  readonly id: string;
  readonly patientId: string;
  readonly grantee: Grantee;
  readonly purpose: string;
  readonly compartments: readonly string[];
  readonly models: readonly string[];
  /** ISO-8601. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** active | revoked | expired | pending */
  readonly status: string;
  readonly chainId: number | null;
  readonly grantTransaction: string | null;
  readonly grantBlock: number | null;
  readonly revokeTransaction: string | null;
  readonly revokeBlock: number | null;
  readonly fhirConsentId: string | null;
}

export interface AccessEvent {
  /** The entry's leaf index in the audit log (the number a regulator sees). */
  readonly leafIndex: number;
  readonly at: string;
  readonly actor: string;
  readonly actorRole: string;
  readonly interaction: string;
  readonly resourceType: string | null;
  /** allowed | denied */
  readonly outcome: string;
  readonly consentId: string | null;
  /** The consent's purpose code, when the access rested on one. */
  readonly purpose: string | null;
  readonly emergencyId: string | null;
  /** For a model run: the model version and the SHA-256 of its file. */
  readonly model: { readonly id: string; readonly version: string; readonly sha256: string } | null;
  /** In the README's AccessEvent, not (yet) in the gateway's schema, so not asked for; shown when present. */
  readonly reason: string | null;
}

export interface EmergencyAccess {
  readonly id: string;
  readonly patientId: string;
  readonly clinician: string;
  readonly reason: string | null;
  readonly declaredAt: string;
  readonly expiresAt: string;
  readonly transaction: string | null;
  readonly block: number | null;
  readonly active: boolean;
}

/** A model version the gateway runs (GraphQL `models`), as a consent can name it. */
export interface ApprovedModel {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  /** published-equation or learned. */
  readonly kind: string;
  /** SHA-256 of the model file. */
  readonly sha256: string;
  /** The newest version of its id: the one run when a consent names the id without a version. */
  readonly latest: boolean;
  readonly intendedUse: string;
  /** The kinds of records (compartments) its data contract reads. */
  readonly compartments: readonly string[];
}

/** How many timeline entries the portal asks for. */
export const TIMELINE_LIMIT = 100;

function modelOf(e: Reader): AccessEvent['model'] {
  const m = e.optionalReader('model');
  return m && { id: m.string('id'), version: m.string('version'), sha256: m.string('sha256') };
}

function grantee(r: Reader): Grantee {
  return { id: r.string('id'), kind: r.string('kind'), name: r.string('name'), reference: r.string('reference') };
}

function consent(r: Reader): Consent {
  return {
    id: r.string('id'),
    patientId: r.string('patientId'),
    grantee: grantee(r.reader('grantee')),
    purpose: r.string('purpose'),
    compartments: r.strings('compartments'),
    models: r.strings('models'),
    notBefore: r.time('notBefore'),
    notAfter: r.time('notAfter'),
    status: r.string('status'),
    chainId: r.optionalInt('chainId'),
    grantTransaction: r.optionalString('grantTransaction'),
    grantBlock: r.optionalInt('grantBlock'),
    revokeTransaction: r.optionalString('revokeTransaction'),
    revokeBlock: r.optionalInt('revokeBlock'),
    fhirConsentId: r.optionalString('fhirConsentId'),
  };
}

/**
 * The consent operations of the gateway's GraphQL (gateway/src/consent/README.md), for the signed-in patient. It
 * sends only what the README names: choices, the signed typed data, the scope and sealed key releases; never a
 * phrase or a secret key.
 */
export class ConsentApi {
  constructor(private readonly graphql: GraphqlClient) {}

  async directory(): Promise<Grantee[]> {
    const data = Reader.of(await this.graphql(CONSENT_DIRECTORY), 'data');
    return data.list('consentDirectory').map(grantee);
  }

  /** Every model version the gateway runs, oldest version first within an id (empty until models are installed). */
  async models(): Promise<ApprovedModel[]> {
    return Reader.of(await this.graphql(MODELS), 'data')
      .list('models')
      .map((m) => ({
        id: m.string('id'),
        version: m.string('version'),
        title: m.string('title'),
        kind: m.string('kind'),
        sha256: m.string('sha256'),
        latest: m.boolean('latest'),
        intendedUse: m.string('intendedUse'),
        compartments: m.strings('compartments'),
      }));
  }

  async draftConsent(input: DraftConsentInput): Promise<ConsentDraft> {
    const data = Reader.of(await this.graphql(DRAFT_CONSENT, { input: { ...input, compartments: [...input.compartments], models: [...input.models] } }), 'data');
    const d = data.reader('draftConsent');
    return {
      consentId: d.string('consentId'),
      typedData: d.json('typedData'),
      scope: d.string('scope'),
      scopeHash: d.string('scopeHash'),
      releaseKey: d.string('releaseKey'),
      patientAddress: d.string('patientAddress'),
      notBefore: d.seconds('notBefore'),
      notAfter: d.seconds('notAfter'),
      deadline: d.seconds('deadline'),
    };
  }

  async grantConsent(input: GrantConsentInput): Promise<Consent> {
    const data = Reader.of(await this.graphql(GRANT_CONSENT, { input: { ...input, releases: input.releases.map((r) => ({ compartment: r.compartment, envelope: r.envelope })) } }), 'data');
    return consent(data.reader('grantConsent'));
  }

  async draftRevocation(consentId: string): Promise<RevocationDraft> {
    const data = Reader.of(await this.graphql(DRAFT_REVOCATION, { consentId }), 'data');
    const d = data.reader('draftRevocation');
    return { consentId: d.string('consentId'), typedData: d.json('typedData'), deadline: d.seconds('deadline') };
  }

  async revokeConsent(input: { readonly typedData: string; readonly signature: string }): Promise<Consent> {
    const data = Reader.of(await this.graphql(REVOKE_CONSENT, { input: { typedData: input.typedData, signature: input.signature } }), 'data');
    return consent(data.reader('revokeConsent'));
  }

  async myConsents(): Promise<Consent[]> {
    return Reader.of(await this.graphql(MY_CONSENTS), 'data').list('myConsents').map(consent);
  }

  async accessTimeline(limit = TIMELINE_LIMIT): Promise<AccessEvent[]> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new RangeError(`expected a timeline limit from 1 to 1000, got ${limit}`);
    return Reader.of(await this.graphql(ACCESS_TIMELINE, { limit }), 'data')
      .list('accessTimeline')
      .map((e) => ({
        leafIndex: e.int('leafIndex'),
        at: e.time('at'),
        actor: e.string('actor'),
        actorRole: e.string('actorRole'),
        interaction: e.string('interaction'),
        resourceType: e.optionalString('resourceType'),
        outcome: e.string('outcome'),
        consentId: e.optionalString('consentId'),
        purpose: e.optionalString('purpose'),
        emergencyId: e.optionalString('emergencyId'),
        model: modelOf(e),
        reason: e.optionalString('reason'),
      }));
  }

  /** The patient's pseudonym in the audit log (null for an account without a patient record). */
  async myAuditPseudonym(): Promise<string | null> {
    return Reader.of(await this.graphql(MY_AUDIT_PSEUDONYM), 'data').optionalString('myAuditPseudonym');
  }

  async emergencyAccesses(): Promise<EmergencyAccess[]> {
    return Reader.of(await this.graphql(EMERGENCY_ACCESSES), 'data')
      .list('emergencyAccesses')
      .map((e) => ({
        id: e.string('id'),
        patientId: e.string('patientId'),
        clinician: e.string('clinician'),
        reason: e.optionalString('reason'),
        declaredAt: e.time('declaredAt'),
        expiresAt: e.time('expiresAt'),
        transaction: e.optionalString('transaction'),
        block: e.optionalInt('block'),
        active: e.boolean('active'),
      }));
  }
}
