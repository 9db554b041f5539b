import { timingSafeEqual } from 'node:crypto';
import type { Contract } from 'ethers';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/index.js';
import { badRequest, conflict, notFound } from '../common/index.js';
import {
  canonicalScope,
  COMPARTMENTS,
  type Compartment,
  type ConsentPurpose,
  consentDomain,
  consentIdOf,
  fromBase64Url,
  grantTypedData,
  isCompartment,
  isConsentPurpose,
  openRelease,
  parseScope,
  parseTypedData,
  purposeId,
  purposeOf,
  recoverConsentSigner,
  revokeTypedData,
  scopeHash,
  toBase64Url,
  wipe,
} from '../crypto/index.js';
import { type DatabaseSchema, type FhirRepository, nodeX25519, type StoreKeyRing } from '../store/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import { relay } from './chain-relay.js';
import type { ConsentAccessGrants } from './consent-access.grants.js';
import type { ConsentDirectory } from './consent-directory.js';
import { fhirConsentId, toFhirConsent } from './consent-fhir.js';
import type { ConsentRow, ConsentView } from './consent-view.js';
import { GATEWAY_PRINCIPAL } from './gateway-principal.js';

/** What the consent service needs of the chain and its indexer. */
export interface ConsentChain {
  readonly chainId: number;
  readonly registry: Contract;
  readonly registryAddress: string;
  /** Resolves once the consent view includes this block. */
  catchUp(blockNumber: number): Promise<void>;
}

/** A patient's request for a consent draft. */
export interface ConsentDraftInput {
  readonly granteeId: string;
  readonly purpose: string;
  readonly compartments: readonly string[];
  readonly models: readonly string[];
  readonly durationDays: number;
  /** Unix seconds; now when absent. */
  readonly notBefore?: number;
}

/** What the portal signs (typed data), seals releases for (release key, consent id) and shows the patient. */
export interface ConsentDraft {
  readonly consentId: string;
  readonly typedData: string;
  readonly scope: string;
  readonly scopeHash: string;
  readonly releaseKey: string;
  readonly patientAddress: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly deadline: number;
}

/** A signed grant as the portal submits it. */
export interface ConsentGrantInput {
  readonly typedData: string;
  readonly signature: string;
  readonly scope: string;
  readonly releases: readonly { readonly compartment: string; readonly envelope: string }[];
}

/** A signed revocation as the portal submits it. */
export interface ConsentRevokeInput {
  readonly typedData: string;
  readonly signature: string;
}

/** How long a draft's signature stays valid for relaying (EIP-712 `deadline`). */
const DRAFT_LIFETIME_S = 15 * 60;
const MAX_DAYS = 3650;

interface OwnedStore {
  readonly patientId: string;
  readonly owner: string;
  readonly compartmentKeys: Readonly<Record<string, string>>;
}

/**
 * The consent lifecycle (design.md §2.2), for the patient: draft (typed data + canonical scope) → sign in the
 * browser → grant (checks, then relays `grantBySig`; stores the terms, the key releases and the patient's FHIR
 * Consent) → revoke the same way (`revokeBySig`; the releases are destroyed at once). Everything a patient can get
 * wrong is checked before the relay, so a bad request costs no gas and leaves nothing behind.
 */
export class ConsentService {
  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly chain: ConsentChain,
    private readonly view: ConsentView,
    private readonly directory: ConsentDirectory,
    private readonly ring: StoreKeyRing,
    private readonly grants: ConsentAccessGrants,
    private readonly log: AuditLog,
    private readonly repository: FhirRepository,
    private readonly clock: () => number = Date.now,
  ) {}

  async draft(principal: Principal, input: ConsentDraftInput): Promise<ConsentDraft> {
    const store = await this.ownedStore(principal);
    const grantee = this.directory.get(input.granteeId);
    if (!grantee) throw badRequest('granteeId: expected a grantee from the consent directory', 'granteeId');
    const purpose = this.purpose(input.purpose);
    if ((grantee.kind === 'emergency') !== (purpose === 'EMERGENCY')) {
      throw badRequest('purpose: EMERGENCY goes with the emergency grantee (break-glass), and only with it', 'purpose');
    }
    const unknown = input.compartments.filter((c) => !isCompartment(c));
    if (unknown.length > 0 || input.compartments.length === 0) {
      throw badRequest(`compartments: expected one or more of ${COMPARTMENTS.join(', ')}${unknown.length ? `, got ${unknown.length} other value(s)` : ''}`, 'compartments');
    }
    let scope: string;
    try {
      scope = canonicalScope({ compartments: input.compartments as Compartment[], models: input.models });
    } catch (error) {
      throw badRequest((error as Error).message, 'models');
    }
    if (!Number.isInteger(input.durationDays) || input.durationDays < 1 || input.durationDays > MAX_DAYS) {
      throw badRequest(`durationDays: expected a whole number of days from 1 to ${MAX_DAYS}, got ${input.durationDays}`, 'durationDays');
    }
    const now = Math.floor(this.clock() / 1000);
    const notBefore = input.notBefore ?? now;
    if (!Number.isInteger(notBefore) || notBefore < now - 300 || notBefore > now + MAX_DAYS * 86_400) {
      throw badRequest('notBefore: expected unix seconds from now on', 'notBefore');
    }
    const notAfter = notBefore + input.durationDays * 86_400;
    const nonce = await this.nonceOf(store.owner);
    const deadline = now + DRAFT_LIFETIME_S;
    const typed = grantTypedData(consentDomain(this.chain.chainId, this.chain.registryAddress), {
      patient: store.owner,
      grantee: grantee.id,
      purpose: purposeId(purpose),
      scopeHash: scopeHash(scope),
      notBefore,
      notAfter,
      nonce,
      deadline,
    });
    return {
      consentId: consentIdOf(store.owner, nonce),
      typedData: JSON.stringify(typed),
      scope,
      scopeHash: scopeHash(scope),
      releaseKey: toBase64Url(this.ring.releaseKeyPair().publicKey),
      patientAddress: store.owner,
      notBefore,
      notAfter,
      deadline,
    };
  }

  async grant(principal: Principal, input: ConsentGrantInput): Promise<ConsentRow> {
    const store = await this.ownedStore(principal);
    const typed = this.parse(() => parseTypedData(input.typedData, 'Grant'));
    this.checkDomain(typed.domain);
    const message = typed.message;
    if (message.patient.toLowerCase() !== store.owner.toLowerCase()) throw badRequest('typedData: the grant names another address than the one your store was claimed with', 'typedData.message.patient');
    this.checkSigner(typed, input.signature, store.owner);
    const scope = this.parse(() => parseScope(input.scope), 'scope');
    if (scopeHash(input.scope) !== message.scopeHash.toLowerCase()) throw badRequest('scope: its SHA-256 is not the scopeHash that was signed', 'scope');
    const purpose = purposeOf(message.purpose);
    if (!purpose) throw badRequest('typedData: the purpose is not one this gateway knows', 'typedData.message.purpose');
    const grantee = this.directory.get(message.grantee);
    if (!grantee) throw badRequest('typedData: the grantee is not in the consent directory', 'typedData.message.grantee');
    if ((grantee.kind === 'emergency') !== (purpose === 'EMERGENCY')) throw badRequest('typedData: EMERGENCY goes with the emergency grantee only', 'typedData.message.purpose');
    const now = Math.floor(this.clock() / 1000);
    if (Number(message.deadline) <= now) throw badRequest('typedData: the draft expired; draft the consent again', 'typedData.message.deadline');
    if (message.notAfter <= now) throw badRequest('typedData: the consent would already be over', 'typedData.message.notAfter');
    const nonce = await this.nonceOf(store.owner);
    if (BigInt(message.nonce) !== nonce) throw conflict('the draft is out of date (another consent or revocation was signed since); draft it again');
    const consentId = consentIdOf(store.owner, nonce);
    const releases = this.checkReleases(input.releases, scope.compartments, store, consentId, message.notAfter);

    // Terms and releases first, so the grant is enforceable the moment the indexer sees it; removed again if the
    // chain refuses it (nothing half-written).
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('consent_terms').values({ consent_id: consentId, patient_id: store.patientId, grantee_ref: grantee.reference, grantee_name: grantee.name, scope_json: input.scope, fhir_consent_id: null, created_at: this.clock() }).execute();
      await trx.insertInto('key_release').values(releases.map((r) => ({ consent_id: consentId, compartment: r.compartment, envelope: r.envelope, not_after: message.notAfter }))).execute();
    });
    let relayed: Awaited<ReturnType<typeof relay>>;
    try {
      relayed = await relay(this.chain.registry, 'grantBySig', [message.patient, message.grantee, message.purpose, message.scopeHash, message.notBefore, message.notAfter, message.deadline, input.signature]);
    } catch (error) {
      await this.forget(consentId);
      throw error;
    }
    // Recorded on-chain from here on: the terms stay even if the view is slow to catch up (it serves them then).
    await this.chain.catchUp(relayed.blockNumber);
    const row = (await this.view.byId(consentId))!;
    await this.writeCopy(row);
    void this.log.append({ principal, action: 'consent-grant', outcome: 'allowed', patientId: store.patientId, consentId, purpose: row.purpose });
    // Each compartment secret the patient released to the gateway under this consent.
    for (const release of releases) void this.log.append({ principal, action: 'key-release', outcome: 'allowed', patientId: store.patientId, consentId, purpose: row.purpose, compartment: release.compartment });
    this.grants.refresh();
    return { ...row, fhirConsentId: fhirConsentId(consentId) };
  }

  async draftRevocation(principal: Principal, consentId: string): Promise<{ consentId: string; typedData: string; deadline: number }> {
    const store = await this.ownedStore(principal);
    const consent = await this.patientsConsent(store, consentId);
    if (consent.revokeTx) throw conflict(`consent ${consent.consentId} is already revoked`);
    const deadline = Math.floor(this.clock() / 1000) + DRAFT_LIFETIME_S;
    const typed = revokeTypedData(consentDomain(this.chain.chainId, this.chain.registryAddress), { consentId: consent.consentId, nonce: await this.nonceOf(store.owner), deadline });
    return { consentId: consent.consentId, typedData: JSON.stringify(typed), deadline };
  }

  async revoke(principal: Principal, input: ConsentRevokeInput): Promise<ConsentRow> {
    const store = await this.ownedStore(principal);
    const typed = this.parse(() => parseTypedData(input.typedData, 'Revoke'));
    this.checkDomain(typed.domain);
    const consent = await this.patientsConsent(store, typed.message.consentId);
    if (consent.revokeTx) throw conflict(`consent ${consent.consentId} is already revoked`);
    this.checkSigner(typed, input.signature, store.owner);
    if (Number(typed.message.deadline) <= Math.floor(this.clock() / 1000)) throw badRequest('typedData: the draft expired; draft the revocation again', 'typedData.message.deadline');
    if (BigInt(typed.message.nonce) !== (await this.nonceOf(store.owner))) throw conflict('the draft is out of date (another consent or revocation was signed since); draft it again');
    const relayed = await relay(this.chain.registry, 'revokeBySig', [consent.consentId, typed.message.deadline, input.signature]);
    // The relay is the first to know: destroy the releases and the keys before anything else reads.
    await this.destroyReleases([consent.consentId]);
    await this.chain.catchUp(relayed.blockNumber);
    const row = (await this.view.byId(consent.consentId))!;
    await this.writeCopy(row);
    void this.log.append({ principal, action: 'consent-revoke', outcome: 'allowed', patientId: store.patientId, consentId: consent.consentId, purpose: row.purpose });
    return row;
  }

  /** Every consent of the caller's store (patients), newest first. */
  async mine(principal: Principal): Promise<ConsentRow[]> {
    if (!principal.fhirPatient) return [];
    return this.view.ofPatient(principal.fhirPatient);
  }

  /** Destroys the key releases of these consents and wipes every key opened under them (revocation, expiry). */
  async destroyReleases(consentIds: readonly string[]): Promise<void> {
    if (consentIds.length === 0) return;
    await this.db.deleteFrom('key_release').where('consent_id', 'in', [...consentIds]).execute();
    await this.grants.end(consentIds);
  }

  /**
   * Destroys releases whose consent is over: past its window, revoked (seen by any instance's indexer), or whose
   * grant is not on-chain (gone in a reorg, or never mined). Runs periodically.
   */
  async sweepReleases(): Promise<number> {
    const now = Math.floor(this.clock() / 1000);
    const expired = await this.db.selectFrom('key_release').select('consent_id').distinct().where('not_after', '<=', now).execute();
    const revoked = await this.db.selectFrom('key_release').innerJoin('consent_revocation', 'consent_revocation.consent_id', 'key_release.consent_id').select('key_release.consent_id').distinct().execute();
    const ids = [...new Set([...expired, ...revoked].map((r) => r.consent_id))];
    await this.destroyReleases(ids);
    await this.grants.sweep();
    return ids.length;
  }

  // ---- checks ----

  private async ownedStore(principal: Principal): Promise<OwnedStore> {
    const patientId = principal.fhirPatient;
    if (!patientId || !principal.roles.includes('patient')) throw notFound('consents are managed by the patient whose store they cover');
    const store = await this.db.selectFrom('patient_store').select(['claimed_at', 'owner_address', 'compartment_keys', 'keys_mac']).where('patient_id', '=', patientId).executeTakeFirst();
    if (!store) throw notFound(`there is no store for Patient/${patientId} yet`);
    if (store.claimed_at === null || !store.owner_address || !store.compartment_keys || !store.keys_mac) throw conflict('claim your store first: consents are signed with the key you claim it with');
    if (!timingSafeEqual(this.ring.claimedKeysTag(patientId, store.owner_address, store.compartment_keys), Buffer.from(store.keys_mac))) {
      throw conflict(`the keys of Patient/${patientId} fail their integrity check; the incident is logged`);
    }
    return { patientId, owner: store.owner_address, compartmentKeys: JSON.parse(store.compartment_keys) as Record<string, string> };
  }

  private async patientsConsent(store: OwnedStore, consentId: string): Promise<ConsentRow> {
    const consent = /^0x[0-9a-fA-F]{64}$/.test(consentId) ? await this.view.byId(consentId.toLowerCase()) : undefined;
    if (!consent || consent.patientId !== store.patientId) throw notFound('no such consent in your store');
    return consent;
  }

  private purpose(value: string): ConsentPurpose {
    if (!isConsentPurpose(value)) throw badRequest('purpose: expected TREATMENT, DIAGNOSIS, RESEARCH or EMERGENCY', 'purpose');
    return value;
  }

  private parse<T>(work: () => T, expression = 'typedData'): T {
    try {
      return work();
    } catch (error) {
      throw badRequest((error as Error).message, expression);
    }
  }

  private checkDomain(domain: { chainId: number; verifyingContract: string }): void {
    if (domain.chainId !== this.chain.chainId || domain.verifyingContract.toLowerCase() !== this.chain.registryAddress.toLowerCase()) {
      throw badRequest(`typedData: expected the domain of ConsentRegistry ${this.chain.registryAddress} on chain ${this.chain.chainId}`, 'typedData.domain');
    }
  }

  private checkSigner(typed: Parameters<typeof recoverConsentSigner>[0], signature: string, owner: string): void {
    let signer: string;
    try {
      signer = recoverConsentSigner(typed, signature);
    } catch (error) {
      throw badRequest(`signature: ${(error as Error).message}`, 'signature');
    }
    if (signer.toLowerCase() !== owner.toLowerCase()) throw badRequest('signature: not made with the key your store was claimed with', 'signature');
  }

  /** Each release must be for exactly the scope's compartments and open to the compartment key of the claim. */
  private checkReleases(releases: ConsentGrantInput['releases'], compartments: readonly Compartment[], store: OwnedStore, consentId: string, notAfter: number): { compartment: string; envelope: Uint8Array }[] {
    const given = new Map(releases.map((r) => [r.compartment, r.envelope]));
    if (given.size !== releases.length) throw badRequest('releases: one release per compartment', 'releases');
    const missing = compartments.filter((c) => !given.has(c));
    const extra = [...given.keys()].filter((c) => !compartments.includes(c as Compartment));
    if (missing.length || extra.length) {
      throw badRequest(`releases: expected exactly the scope's compartments${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not in scope: ${extra.length} compartment(s)` : ''}`, 'releases');
    }
    return compartments.map((compartment) => {
      let envelope: Uint8Array;
      let secret: Uint8Array | undefined;
      try {
        envelope = fromBase64Url(given.get(compartment)!, `releases.${compartment}`);
        secret = openRelease(nodeX25519, this.ring.releaseKeyPair(), envelope, { consentId, patient: store.owner, compartment, notAfter });
      } catch {
        throw badRequest(`releases.${compartment}: does not open under this gateway's release key for this consent`, `releases.${compartment}`);
      }
      try {
        const claimed = fromBase64Url(store.compartmentKeys[compartment] ?? '', 'claimed key');
        const matches = Buffer.from(nodeX25519.publicKeyOf(secret)).equals(Buffer.from(claimed));
        if (!matches) throw badRequest(`releases.${compartment}: is not the secret of the key your store was claimed with`, `releases.${compartment}`);
      } finally {
        wipe(secret);
      }
      return { compartment, envelope };
    });
  }

  private async nonceOf(owner: string): Promise<bigint> {
    return (await this.chain.registry.getFunction('nonces').staticCall(owner)) as bigint;
  }

  private async forget(consentId: string): Promise<void> {
    await this.db.deleteFrom('key_release').where('consent_id', '=', consentId).execute();
    await this.db.deleteFrom('consent_terms').where('consent_id', '=', consentId).execute();
  }

  /** Writes (or updates) the patient's own sealed copy of the consent, as FHIR, into their store. */
  private async writeCopy(row: ConsentRow): Promise<void> {
    const resource = { ...toFhirConsent(row, { chainId: this.chain.chainId, registry: this.chain.registryAddress }, Math.floor(this.clock() / 1000)), patient: { reference: `Patient/${row.patientId}` } };
    await this.repository.update(GATEWAY_PRINCIPAL, resource);
    if (row.fhirConsentId === null) await this.db.updateTable('consent_terms').set({ fhir_consent_id: fhirConsentId(row.consentId) }).where('consent_id', '=', row.consentId).execute();
  }
}
