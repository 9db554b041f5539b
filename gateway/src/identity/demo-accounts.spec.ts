import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { DEMO_CLIENT_SECRETS, DEMO_PATIENT_MNEMONICS, DEMO_USER_PASSWORDS } from './demo-accounts.js';
import { verifyPassword } from './password-hash.js';
import { REALM_FILE } from './realm.loader.js';

interface ExportedUser {
  username: string;
  attributes?: Record<string, string[]>;
  serviceAccountClientId?: string;
  credentials?: { type: string; secretData: string; credentialData: string }[];
}

const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as { users: ExportedUser[]; clients: { clientId: string; secret?: string; attributes?: Record<string, string> }[] };

describe('the documented demo secrets and the realm file', () => {
  const withPassword = realm.users.filter((u) => u.credentials?.some((c) => c.type === 'password'));

  it.each(withPassword.map((u) => [u.username, u] as const))("verifies %s's stored hash against the documented demo password", async (username, user) => {
    const credential = user.credentials!.find((c) => c.type === 'password')!;
    const secret = JSON.parse(credential.secretData) as { value: string; salt: string };
    const data = JSON.parse(credential.credentialData) as { hashIterations: number; algorithm: string };
    expect(data.algorithm).toBe('pbkdf2-sha256');
    expect(DEMO_USER_PASSWORDS[username]).toBeDefined();
    await expect(verifyPassword(DEMO_USER_PASSWORDS[username]!, { algorithm: data.algorithm, hashIterations: data.hashIterations, salt: secret.salt, value: secret.value })).resolves.toBe(true);
  });

  it('documents a password for every demo user and no password for anyone else', () => {
    const documented = Object.keys(DEMO_USER_PASSWORDS).sort();
    expect(withPassword.map((u) => u.username).sort()).toEqual(documented);
    expect(withPassword.every((u) => u.attributes?.['demo']?.includes('true'))).toBe(true);
  });

  it('keeps every demo password at least 14 characters (the same hash with or without Keycloak FIPS padding)', () => {
    expect(Object.values(DEMO_USER_PASSWORDS).every((p) => p.length >= 14)).toBe(true);
  });

  it('stores no plaintext password anywhere in the realm file', () => {
    const text = readFileSync(REALM_FILE, 'utf8');
    for (const password of Object.values(DEMO_USER_PASSWORDS)) expect(text).not.toContain(password);
  });

  it('documents the secret of every confidential demo client as the realm file holds it', () => {
    const confidential = realm.clients.filter((c) => c.attributes?.['demo'] === 'true' && c.secret);
    expect(confidential.map((c) => c.clientId)).toEqual(Object.keys(DEMO_CLIENT_SECRETS));
    for (const client of confidential) expect(client.secret).toBe(DEMO_CLIENT_SECRETS[client.clientId]);
  });
});

describe('the demo patients’ mnemonics', () => {
  it('are the documented derivation, SHA-256("fhir-gateway demo patient <username>") as 24 words, for exactly the patient users', () => {
    const patients = realm.users.filter((u) => u.attributes?.['fhir_patient']).map((u) => u.username).sort();
    expect(Object.keys(DEMO_PATIENT_MNEMONICS).sort()).toEqual(patients);
    for (const username of patients) {
      const entropy = createHash('sha256').update(`fhir-gateway demo patient ${username}`).digest();
      expect(DEMO_PATIENT_MNEMONICS[username]).toBe(entropyToMnemonic(entropy, wordlist));
    }
  });
});
