import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Compartment, fromBase64Url, newBatchKey, SealError, unwrapBatchKey, wipe, wrapBatchKey } from '../../crypto/index.js';
import type { DatabaseSchema } from '../database.schema.js';
import { databaseDialect } from '../migrations/column-types.js';
import { nodeX25519 } from '../keys/node-x25519.js';
import type { StoreKeyRing } from '../keys/store-key-ring.js';
import type { PatientGrant } from '../access/access-grants.js';
import type { BatchKey, WriteBatch } from './write-batch.js';

type Db = Kysely<DatabaseSchema>;

/** Raised when the gateway holds no key for a record (the store is claimed and no release covers it). */
export class NoKeyError extends Error {
  constructor(readonly about: string) {
    super('the gateway holds no key for this record');
    this.name = 'NoKeyError';
  }
}

/** A bounded map that forgets its oldest entries (insertion order) and wipes evicted keys. */
class KeyCache {
  private readonly entries = new Map<string, Uint8Array>();
  constructor(private readonly limit: number) {}
  get(id: string): Uint8Array | undefined {
    return this.entries.get(id);
  }
  set(id: string, key: Uint8Array): void {
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next().value!;
      wipe(this.entries.get(oldest));
      this.entries.delete(oldest);
    }
    this.entries.set(id, key);
  }
  delete(id: string): void {
    wipe(this.entries.get(id));
    this.entries.delete(id);
  }
}

/**
 * The key side of the patient stores: escrow key pairs for unclaimed stores, batch keys wrapped to the right
 * recipient (escrow or the patient's compartment key), and unwrapping for custodial reads. Unwrapped batch keys
 * and escrow secrets are cached in memory (bounded), never persisted.
 */
export class StoreKeys {
  private readonly batchKeys = new KeyCache(50_000);
  private readonly escrowSecrets = new KeyCache(10_000);
  private readonly escrowPublic = new Map<string, Uint8Array>();
  /** Which cached batch keys belong to which patient, so a claim can drop them. */
  private readonly cachedByPatient = new Map<string, Set<string>>();

  constructor(private readonly ring: StoreKeyRing) {}

  /** Creates the patient's store with a fresh escrow key pair (the secret sealed under the master key). */
  async createStore(db: Db, patientId: string, now: number): Promise<void> {
    const escrow = nodeX25519.generateKeyPair();
    try {
      await db
        .insertInto('patient_store')
        .values({ patient_id: patientId, created_at: now, escrow_secret: this.ring.sealEscrowSecret(patientId, escrow.secretKey), claimed_at: null, owner_address: null, compartment_keys: null, keys_mac: null })
        .execute();
    } finally {
      wipe(escrow.secretKey);
    }
  }

  /** The batch key for (patient, compartment) in this batch: created and wrapped on first use (one agreement). */
  async batchKeyFor(db: Db, batch: WriteBatch, patientId: string, compartment: Compartment, now: number): Promise<BatchKey> {
    const existing = batch.get(patientId, compartment);
    if (existing) return existing;
    let query = db.selectFrom('patient_store').select(['escrow_secret', 'compartment_keys', 'claimed_at', 'owner_address', 'keys_mac']).where('patient_id', '=', patientId);
    // PostgreSQL: hold the store row (shared) until this write commits, so a concurrent claim (which takes it
    // exclusively) either re-wraps this batch key or makes this write see the claimed state. SQLite serializes
    // transactions on its one connection anyway.
    if (databaseDialect(db) === 'postgres') query = query.forShare();
    const store = await query.executeTakeFirstOrThrow();
    const claimed = store.claimed_at !== null;
    // Only authenticated recipient keys: the escrow public key is derived from the sealed escrow secret (which only
    // the master key opens), the patient's keys must carry the tag written at the claim. Keys swapped in the
    // database are an integrity failure, never a new recipient.
    let recipient: Uint8Array;
    if (claimed) {
      const expected = this.ring.claimedKeysTag(patientId, store.owner_address ?? '', store.compartment_keys ?? '');
      if (!store.keys_mac || !timingSafeEqual(expected, Buffer.from(store.keys_mac))) throw new SealError(`the recipient keys of Patient/${patientId} fail their integrity check`);
      recipient = fromBase64Url((JSON.parse(store.compartment_keys!) as Record<string, string>)[compartment]!, 'compartment key');
    } else {
      recipient = (await this.escrowKeyPair(db, patientId, store.escrow_secret)).publicKey;
    }
    const entry = batch.add(patientId, compartment, newBatchKey());
    const envelope = wrapBatchKey(nodeX25519, recipient, entry.key, { patient: patientId, compartment, keyId: entry.keyId });
    await db.insertInto('record_key').values({ key_id: entry.keyId, patient_id: patientId, compartment, recipient: claimed ? 'patient' : 'escrow', envelope, created_at: now }).execute();
    if (!claimed) this.remember(patientId, entry.keyId, entry.key.slice());
    return entry;
  }

  /**
   * The batch key of a stored record: from the escrow for a custodial read of an unclaimed store, or under a grant
   * (the patient's key release) for a claimed one. {@link NoKeyError} when the gateway holds no key for it,
   * {@link SealError} when an envelope fails its integrity check.
   */
  async openBatchKey(db: Db, keyId: string, storeClaimed: boolean, grant?: PatientGrant): Promise<Uint8Array> {
    // The claim state comes with the record being read, so a key cached before a claim (on this or another
    // gateway instance) is never used after it: after the claim only a release opens anything.
    if (storeClaimed) return this.openGranted(db, keyId, grant);
    const cached = this.batchKeys.get(keyId);
    if (cached) return cached;
    const row = await db.selectFrom('record_key').select(['patient_id', 'compartment', 'recipient', 'envelope']).where('key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new SealError(`record key ${keyId} is missing`);
    if (row.recipient !== 'escrow') throw new NoKeyError(row.patient_id);
    const escrow = await this.escrowKeyPair(db, row.patient_id);
    const key = unwrapBatchKey(nodeX25519, escrow, new Uint8Array(row.envelope), { patient: row.patient_id, compartment: row.compartment, keyId });
    this.remember(row.patient_id, keyId, key);
    return key;
  }

  /** A claimed store's batch key, unwrapped with the compartment key the patient released under the grant. */
  private async openGranted(db: Db, keyId: string, grant: PatientGrant | undefined): Promise<Uint8Array> {
    if (!grant) throw new NoKeyError(keyId);
    const cached = grant.cachedBatchKey(keyId);
    if (cached) return cached;
    const row = await db.selectFrom('record_key').select(['patient_id', 'compartment', 'recipient', 'envelope']).where('key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new SealError(`record key ${keyId} is missing`);
    // The grant names its patient and compartments; a key of anything else is not opened, whatever asked for it.
    if (row.recipient !== 'patient' || row.patient_id !== grant.patientId || !grant.compartments.has(row.compartment)) throw new NoKeyError(row.patient_id);
    // A release that is gone (revoked, expired) means no key; one that does not open is an integrity failure.
    const pair = await grant.compartmentKey(row.compartment, db).catch((error: unknown) => {
      throw error instanceof SealError ? error : new NoKeyError(row.patient_id);
    });
    const key = unwrapBatchKey(nodeX25519, pair, new Uint8Array(row.envelope), { patient: row.patient_id, compartment: row.compartment, keyId });
    grant.rememberBatchKey(keyId, key);
    return key;
  }

  /** The escrow key pair of an unclaimed store; the public half is derived from the secret, never read back. */
  private async escrowKeyPair(db: Db, patientId: string, sealed?: Uint8Array | null): Promise<{ secretKey: Uint8Array; publicKey: Uint8Array }> {
    let secretKey = this.escrowSecrets.get(patientId);
    if (!secretKey) {
      const stored = sealed !== undefined ? sealed : (await db.selectFrom('patient_store').select('escrow_secret').where('patient_id', '=', patientId).executeTakeFirst())?.escrow_secret;
      if (!stored) throw new NoKeyError(patientId);
      try {
        secretKey = this.ring.openEscrowSecret(patientId, new Uint8Array(stored));
      } catch {
        throw new SealError('escrow secret does not open under the master key');
      }
      this.escrowSecrets.set(patientId, secretKey);
    }
    let publicKey = this.escrowPublic.get(patientId);
    if (!publicKey) this.escrowPublic.set(patientId, (publicKey = nodeX25519.publicKeyOf(secretKey)));
    return { secretKey, publicKey };
  }

  /**
   * Re-wraps every batch key of an unclaimed store to the patient's compartment keys and destroys the escrow
   * secret (design.md §2.1 "claim"). Runs inside the caller's transaction; returns how many keys were re-wrapped.
   */
  async rewrapToPatient(db: Db, patientId: string, publicKeys: Readonly<Record<Compartment, Uint8Array>>): Promise<number> {
    const escrow = await this.escrowKeyPair(db, patientId);
    const rows = await db.selectFrom('record_key').select(['key_id', 'compartment', 'envelope']).where('patient_id', '=', patientId).where('recipient', '=', 'escrow').execute();
    for (const row of rows) {
      const context = { patient: patientId, compartment: row.compartment, keyId: row.key_id };
      const key = unwrapBatchKey(nodeX25519, escrow, new Uint8Array(row.envelope), context);
      try {
        const envelope = wrapBatchKey(nodeX25519, publicKeys[row.compartment as Compartment], key, context);
        await db.updateTable('record_key').set({ envelope, recipient: 'patient' }).where('key_id', '=', row.key_id).execute();
      } finally {
        wipe(key);
      }
    }
    return rows.length;
  }

  /** The tag that authenticates a claimed store's recipient keys at rest (see StoreKeyRing.claimedKeysTag). */
  claimedKeysTag(patientId: string, ownerAddress: string, compartmentKeys: string): Buffer {
    return this.ring.claimedKeysTag(patientId, ownerAddress, compartmentKeys);
  }

  /** Drops every cached key of a patient (after a claim commits: the gateway must forget what it could read). */
  forget(patientId: string): void {
    this.escrowSecrets.delete(patientId);
    this.escrowPublic.delete(patientId);
    for (const keyId of this.cachedByPatient.get(patientId) ?? []) this.batchKeys.delete(keyId);
    this.cachedByPatient.delete(patientId);
  }

  private remember(patientId: string, keyId: string, key: Uint8Array): void {
    this.batchKeys.set(keyId, key);

    let ids = this.cachedByPatient.get(patientId);
    if (!ids) this.cachedByPatient.set(patientId, (ids = new Set()));
    ids.add(keyId);
  }
}
