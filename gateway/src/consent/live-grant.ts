import type { Kysely } from 'kysely';
import { type Compartment, openRelease, wipe } from '../crypto/index.js';
import { type CompartmentKeyPair, type DatabaseSchema, nodeX25519, type PatientGrant, type StoreKeyRing } from '../store/index.js';

/** What a live grant rests on: the consent (and, for break-glass, the declared access) as the view shows it. */
export interface GrantTerms {
  readonly patientId: string;
  readonly patientAddress: string;
  readonly consentId: string;
  /** The consent's purpose (TREATMENT, DIAGNOSIS, RESEARCH; EMERGENCY for break-glass). */
  readonly purpose: string;
  readonly emergencyId?: string;
  readonly compartments: ReadonlySet<string>;
  /** The consent's notAfter (unix seconds): the releases are bound to it. */
  readonly consentNotAfter: number;
  /** Unix milliseconds after which this grant is void (the consent's end, or the break-glass window's). */
  readonly expiresAt: number;
}

/**
 * A {@link PatientGrant} backed by the patient's key releases: each compartment's secret is opened from its release
 * on first use and kept, with the batch keys it unwrapped, only in memory until {@link wipe} (revocation, expiry,
 * reorg). A release that is gone (destroyed on revocation) opens nothing.
 */
export class LiveGrant implements PatientGrant {
  readonly patientId: string;
  readonly consentId: string;
  readonly purpose: string;
  readonly emergencyId?: string;
  readonly compartments: ReadonlySet<string>;
  readonly expiresAt: number;
  private readonly keys = new Map<string, Promise<CompartmentKeyPair>>();
  private readonly batchKeys = new Map<string, Uint8Array>();
  private wiped = false;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    private readonly ring: StoreKeyRing,
    readonly terms: GrantTerms,
  ) {
    this.patientId = terms.patientId;
    this.consentId = terms.consentId;
    this.purpose = terms.purpose;
    if (terms.emergencyId !== undefined) this.emergencyId = terms.emergencyId;
    this.compartments = terms.compartments;
    this.expiresAt = terms.expiresAt;
  }

  compartmentKey(compartment: string, db: Kysely<DatabaseSchema> = this.db): Promise<CompartmentKeyPair> {
    if (this.wiped || Date.now() >= this.expiresAt) return Promise.reject(new Error('the grant has ended'));
    let key = this.keys.get(compartment);
    if (!key) {
      key = this.open(compartment, db);
      this.keys.set(compartment, key);
      key.catch(() => this.keys.delete(compartment));
    }
    return key;
  }

  cachedBatchKey(keyId: string): Uint8Array | undefined {
    return this.wiped || Date.now() >= this.expiresAt ? undefined : this.batchKeys.get(keyId);
  }

  rememberBatchKey(keyId: string, key: Uint8Array): void {
    if (this.wiped) return wipe(key);
    if (this.batchKeys.size >= 20_000) this.dropBatchKeys();
    this.batchKeys.set(keyId, key);
  }

  /** Forgets every key this grant opened, overwriting them. */
  async wipe(): Promise<void> {
    this.wiped = true;
    this.dropBatchKeys();
    const pairs = await Promise.allSettled(this.keys.values());
    for (const pair of pairs) if (pair.status === 'fulfilled') wipe(pair.value.secretKey);
    this.keys.clear();
  }

  private dropBatchKeys(): void {
    for (const key of this.batchKeys.values()) wipe(key);
    this.batchKeys.clear();
  }

  private async open(compartment: string, db: Kysely<DatabaseSchema>): Promise<CompartmentKeyPair> {
    const row = await db.selectFrom('key_release').select('envelope').where('consent_id', '=', this.consentId).where('compartment', '=', compartment).executeTakeFirst();
    if (!row) throw new Error(`no key release for this compartment under consent ${this.consentId}`);
    const secretKey = openRelease(nodeX25519, this.ring.releaseKeyPair(), new Uint8Array(row.envelope), {
      consentId: this.consentId,
      patient: this.terms.patientAddress,
      compartment: compartment as Compartment,
      notAfter: this.terms.consentNotAfter,
    });
    return { secretKey, publicKey: nodeX25519.publicKeyOf(secretKey) };
  }
}
