import { Problem } from '@web';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../../gateway/src/crypto/bytes.js';

/**
 * The recovery phrase kept in this browser, encrypted under a passphrase (design.md §2.1). Built on WebCrypto
 * only, so nothing here loads the key library:
 *
 * ```
 * key        = PBKDF2-HMAC-SHA256(NFKC(passphrase), salt (16 random bytes), 600,000 iterations) → AES-256-GCM key
 * AAD        = "fhir-gateway/portal/recovery-phrase/v1" 0x00 patient
 * ciphertext = AES-256-GCM(key, iv (12 random bytes), UTF-8 phrase, AAD)
 * localStorage["fhir-gateway.recovery-phrase.<patient>"] = {"version":1,"kdf":"PBKDF2-SHA256","iterations":600000,"salt","iv","ciphertext"}
 * ```
 *
 * (salt, iv and ciphertext in base64url). The AAD binds the entry to its patient: an entry copied under another
 * patient's name does not open. Neither the passphrase nor the key is stored; the key is not extractable.
 */

export const PASSPHRASE_MIN_LENGTH = 12;
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
const ITERATIONS = 600_000;
/** An entry asking for more would only make the page hang: refuse it as damaged. */
const MAX_ITERATIONS = 10_000_000;
const VERSION = 1;
const STORAGE_PREFIX = 'fhir-gateway.recovery-phrase.';
const AAD_LABEL = 'fhir-gateway/portal/recovery-phrase/v1';

interface SavedPhrase {
  readonly version: 1;
  readonly kdf: 'PBKDF2-SHA256';
  readonly iterations: number;
  readonly salt: string;
  readonly iv: string;
  readonly ciphertext: string;
}

/** The localStorage key of one patient's saved phrase. */
export function savedPhraseKey(patient: string): string {
  return `${STORAGE_PREFIX}${patient}`;
}

/** The passphrase's length as a person counts it (code points after NFKC), for the minimum-length rule. */
export function passphraseLength(passphrase: string): number {
  return [...passphrase.normalize('NFKC')].length;
}

/** A byte array on its own ArrayBuffer, as WebCrypto's BufferSource wants. */
function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled for this site
  }
}

function subtle(): SubtleCrypto | null {
  return globalThis.crypto?.subtle ?? null; // only in a secure context (HTTPS or localhost)
}

/** Whether this browser can keep the phrase at all (WebCrypto in a secure context, and storage allowed). */
export function canSavePhrase(): boolean {
  return subtle() !== null && storage() !== null;
}

/** Whether a phrase is saved for this patient on this device (nothing is decrypted). */
export function hasSavedPhrase(patient: string): boolean {
  return storage()?.getItem(savedPhraseKey(patient)) != null;
}

/** Removes the saved phrase of this patient from this device. */
export function forgetSavedPhrase(patient: string): void {
  storage()?.removeItem(savedPhraseKey(patient));
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number, usage: KeyUsage): Promise<CryptoKey> {
  const crypto = subtle();
  if (!crypto) throw new Problem('This browser cannot keep your phrase', 'Keeping the phrase needs the browser’s built-in cryptography, which is only available over a secure connection. Unlock with your recovery phrase instead.', 'NO_WEBCRYPTO', 'none');
  const material = await crypto.importKey('raw', buffer(utf8(passphrase.normalize('NFKC'))), 'PBKDF2', false, ['deriveKey']);
  return crypto.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt: buffer(salt), iterations }, material, { name: 'AES-GCM', length: 256 }, false, [usage]);
}

function aad(patient: string): Uint8Array<ArrayBuffer> {
  return buffer(utf8(`${AAD_LABEL}\u0000${patient}`));
}

/**
 * Encrypts the phrase under the passphrase and keeps it for this patient on this device, replacing any saved one.
 * @throws Problem when the passphrase is too short, or the browser cannot encrypt or store it.
 */
export async function savePhrase(patient: string, phrase: string, passphrase: string): Promise<void> {
  if (passphraseLength(passphrase) < PASSPHRASE_MIN_LENGTH) {
    throw new Problem('This passphrase is too short', `A passphrase needs at least ${PASSPHRASE_MIN_LENGTH} characters.`, 'SHORT_PASSPHRASE', 'none');
  }
  const store = storage();
  if (!store) throw new Problem('This browser cannot keep your phrase', 'This browser does not let the portal store anything. Unlock with your recovery phrase instead.', 'NO_STORAGE', 'none');
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const key = await deriveKey(passphrase, salt, ITERATIONS, 'encrypt');
  const plaintext = buffer(utf8(phrase));
  try {
    const ciphertext = new Uint8Array(await globalThis.crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(patient) }, key, plaintext));
    const saved: SavedPhrase = { version: VERSION, kdf: 'PBKDF2-SHA256', iterations: ITERATIONS, salt: toBase64Url(salt), iv: toBase64Url(iv), ciphertext: toBase64Url(ciphertext) };
    try {
      store.setItem(savedPhraseKey(patient), JSON.stringify(saved));
    } catch {
      throw new Problem('This browser cannot keep your phrase', 'Its storage for this site is full or turned off. Unlock with your recovery phrase instead.', 'NO_STORAGE', 'none');
    }
  } finally {
    plaintext.fill(0);
  }
}

function damaged(): Problem {
  return new Problem(
    'The phrase saved on this device cannot be read',
    'Its saved form is damaged or from another version of the portal. Unlock with your recovery phrase, and forget the saved phrase on this device.',
    'SAVED_PHRASE_DAMAGED',
    'none',
  );
}

/** Reads and checks the saved entry's shape; anything unexpected is "damaged", never a crash. */
function readSaved(patient: string): { iterations: number; salt: Uint8Array; iv: Uint8Array; ciphertext: Uint8Array } {
  const text = storage()?.getItem(savedPhraseKey(patient));
  if (text == null) {
    throw new Problem('No phrase is saved on this device', 'Unlock with your recovery phrase instead.', 'NO_SAVED_PHRASE', 'none');
  }
  try {
    const saved = JSON.parse(text) as Partial<SavedPhrase>;
    const { iterations } = saved;
    if (saved.version !== VERSION || saved.kdf !== 'PBKDF2-SHA256' || typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < ITERATIONS || iterations > MAX_ITERATIONS) throw damaged();
    const salt = fromBase64Url(String(saved.salt), 'salt');
    const iv = fromBase64Url(String(saved.iv), 'iv');
    const ciphertext = fromBase64Url(String(saved.ciphertext), 'ciphertext');
    if (salt.length !== 16 || iv.length !== 12 || ciphertext.length <= 16) throw damaged();
    return { iterations, salt, iv, ciphertext };
  } catch {
    throw damaged();
  }
}

/**
 * Decrypts the phrase saved for this patient with the passphrase.
 * @throws Problem in plain words when the passphrase is wrong (AES-GCM's tag does not verify), or nothing or a
 * damaged entry is saved.
 */
export async function openSavedPhrase(patient: string, passphrase: string): Promise<string> {
  const saved = readSaved(patient);
  const key = await deriveKey(passphrase, saved.salt, saved.iterations, 'decrypt');
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'AES-GCM', iv: buffer(saved.iv), additionalData: aad(patient) }, key, buffer(saved.ciphertext)));
  } catch {
    throw new Problem(
      'This passphrase is not right',
      'It does not open the recovery phrase saved on this device. Check it (capital letters count) and try again, or unlock with your recovery phrase.',
      'WRONG_PASSPHRASE',
      'none',
    );
  }
  try {
    return fromUtf8(plaintext);
  } catch {
    throw damaged();
  } finally {
    plaintext.fill(0);
  }
}
