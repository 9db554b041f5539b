import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { nodeX25519 } from './node-x25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, expectLength, utf8 } from '../../crypto/index.js';

/** Length of a blind-index token and a match hash: 128 bits of HMAC-SHA256 (collisions are negligible per patient). */
export const TOKEN_LENGTH = 16;

function derive(master: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), label, 32));
}

/**
 * The gateway's own store keys, all derived from one 32-byte master key (HKDF-SHA256, one versioned label each):
 * - the escrow wrapping key, which seals each unclaimed patient's escrow X25519 secret at rest;
 * - the blind-index secret, from which each patient's index key is derived (HMAC of the patient id), so tokens of
 *   equal values are equal only within one patient (design.md §2.1);
 * - the patient-matching key, one gateway-wide HMAC key for identifiers (`system|value`).
 * The master key comes from the environment in production (never from the database).
 */
export class StoreKeyRing {
  private readonly escrowKey: Buffer;
  private readonly indexSecret: Buffer;
  private readonly matchKey: Buffer;
  private readonly claimKey: Buffer;
  private readonly noteKey: Buffer;
  private readonly pseudonymKey: Buffer;
  private readonly pseudonyms = new Map<string, string>();
  private readonly release: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };
  private readonly indexKeys = new Map<string, Buffer>();

  constructor(masterKey: Uint8Array) {
    expectLength(masterKey, 32, 'store master key');
    this.escrowKey = derive(masterKey, 'fhir-gateway/escrow-wrap/v1');
    this.indexSecret = derive(masterKey, 'fhir-gateway/blind-index/v1');
    this.matchKey = derive(masterKey, 'fhir-gateway/patient-match/v1');
    this.claimKey = derive(masterKey, 'fhir-gateway/claimed-keys/v1');
    this.noteKey = derive(masterKey, 'fhir-gateway/sealed-note/v1');
    this.pseudonymKey = derive(masterKey, 'fhir-gateway/audit-pseudonym/v1');
    // RFC 7748 §5: any 32 bytes are an X25519 secret (clamped on use).
    const releaseSecret = derive(masterKey, 'fhir-gateway/release-key/v1');
    this.release = { secretKey: releaseSecret, publicKey: nodeX25519.publicKeyOf(releaseSecret) };
  }

  /**
   * The gateway's release key pair (design.md §2.1): patients seal the compartment secrets of a consent's scope to
   * its public half; only this gateway (its master key) opens them. Derived, so every instance sharing the master
   * key opens the same releases.
   */
  releaseKeyPair(): { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array } {
    return this.release;
  }

  /**
   * A patient's pseudonym in the audit log: hex of HMAC-SHA256(pseudonymKey, "patient" 0x00 id), first 16 bytes.
   * Stable for the life of the master key; only this gateway links it back to the patient, who sees it in the
   * portal and may hand it to a regulator.
   */
  patientPseudonym(patientId: string): string {
    let pseudonym = this.pseudonyms.get(patientId);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', this.pseudonymKey).update('patient\0').update(patientId).digest().subarray(0, 16).toString('hex');
      if (this.pseudonyms.size >= 100_000) this.pseudonyms.clear();
      this.pseudonyms.set(patientId, pseudonym);
    }
    return pseudonym;
  }

  /** Seals a short note (e.g. a break-glass reason) at rest: nonce || XChaCha20-Poly1305, AAD = purpose and id. */
  sealNote(purpose: string, id: string, text: string): Uint8Array {
    const nonce = randomBytes(24);
    return concatBytes(nonce, xchacha20poly1305(this.noteKey, nonce, utf8(`fhir-gateway/note/v1\0${purpose}\0${id}`)).encrypt(utf8(text)));
  }

  /** Opens a note sealed by {@link sealNote} for the same purpose and id; throws if altered or moved. */
  openNote(purpose: string, id: string, sealed: Uint8Array): string {
    return new TextDecoder().decode(xchacha20poly1305(this.noteKey, sealed.subarray(0, 24), utf8(`fhir-gateway/note/v1\0${purpose}\0${id}`)).decrypt(sealed.subarray(24)));
  }

  /** Seals an escrow secret at rest: 24-byte random nonce || XChaCha20-Poly1305, AAD bound to the patient. */
  sealEscrowSecret(patientId: string, secret: Uint8Array): Uint8Array {
    const nonce = randomBytes(24);
    return concatBytes(nonce, xchacha20poly1305(this.escrowKey, nonce, escrowAad(patientId)).encrypt(secret));
  }

  /** Opens an escrow secret; throws if it was tampered with or belongs to another patient. */
  openEscrowSecret(patientId: string, sealed: Uint8Array): Uint8Array {
    return xchacha20poly1305(this.escrowKey, sealed.subarray(0, 24), escrowAad(patientId)).decrypt(sealed.subarray(24));
  }

  /** A blind-index token: HMAC-SHA256(indexKey(patient), name 0x00 value), truncated to {@link TOKEN_LENGTH}. */
  token(patientId: string, name: string, value: string): Buffer {
    return createHmac('sha256', this.indexKey(patientId)).update(name).update('\0').update(value).digest().subarray(0, TOKEN_LENGTH);
  }

  /** The keyed hash that matches a patient by identifier across the gateway: HMAC-SHA256(matchKey, system|value). */
  matchHash(system: string, value: string): Buffer {
    return createHmac('sha256', this.matchKey).update(`${system}|${value}`).digest().subarray(0, TOKEN_LENGTH);
  }

  /**
   * Authenticates a claimed store's recipient keys at rest: HMAC-SHA256(claimKey, patient 0x00 address 0x00 keys
   * JSON). Writes seal new batch keys only to keys whose tag verifies, so swapping them in the database (to make
   * the gateway seal new records to someone else's key) is detected instead of obeyed.
   */
  claimedKeysTag(patientId: string, ownerAddress: string, compartmentKeys: string): Buffer {
    return createHmac('sha256', this.claimKey).update(`${patientId}\0${ownerAddress}\0${compartmentKeys}`).digest();
  }

  private indexKey(patientId: string): Buffer {
    let key = this.indexKeys.get(patientId);
    if (!key) {
      key = createHmac('sha256', this.indexSecret).update(patientId).digest();
      if (this.indexKeys.size > 100_000) this.indexKeys.clear();
      this.indexKeys.set(patientId, key);
    }
    return key;
  }
}

function escrowAad(patientId: string): Uint8Array {
  return utf8(`fhir-gateway/escrow/v1\0${patientId}`);
}
