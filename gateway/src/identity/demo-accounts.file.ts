import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_CLIENT_SECRETS, DEMO_PATIENT_MNEMONICS, DEMO_USER_PASSWORDS, type DemoAccounts, type DemoClient, type DemoUser } from './demo-accounts.js';
import type { Realm } from './realm.model.js';

/** The file scripts and tests read to act as any demo user (design §3). */
export const DEMO_ACCOUNTS_FILE = 'demo-accounts.json';

/**
 * The realm's demo accounts with their documented secrets: every demo user with a password, and every demo
 * confidential client with service accounts (roles are those of its service-account user).
 */
export function collectDemoAccounts(realm: Realm, tokenEndpoint: string): DemoAccounts {
  const users: DemoUser[] = realm.users
    .filter((u) => u.demo && u.password && DEMO_USER_PASSWORDS[u.username] !== undefined)
    .map((u) => {
      const fhirPatient = u.attributes['fhir_patient']?.[0];
      return { id: u.id, username: u.username, password: DEMO_USER_PASSWORDS[u.username]!, roles: u.roles, ...(fhirPatient ? { fhirPatient } : {}), ...(fhirPatient && DEMO_PATIENT_MNEMONICS[u.username] ? { mnemonic: DEMO_PATIENT_MNEMONICS[u.username] } : {}) };
    });
  const clients: DemoClient[] = realm.clients
    .filter((c) => c.demo && c.serviceAccountsEnabled && c.secret !== undefined)
    .map((c) => ({ clientId: c.clientId, secret: DEMO_CLIENT_SECRETS[c.clientId] ?? c.secret!, roles: realm.serviceAccountOf(c.clientId)?.roles ?? [] }));
  const cli = realm.clients.find((c) => c.publicClient && c.directAccessGrantsEnabled);
  return { tokenEndpoint, ...(cli ? { passwordGrantClientId: cli.clientId } : {}), users, clients };
}

/** Writes `<dataDir>/demo-accounts.json` (mode 0600) atomically, so a reader never sees half a file. */
export function writeDemoAccountsFile(dataDir: string, accounts: DemoAccounts): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DEMO_ACCOUNTS_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(accounts, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
  return file;
}
