import { EMERGENCY_GRANTEE_REFERENCE, granteeId } from '../crypto/index.js';
import type { Realm } from '../identity/realm.model.js';

/** Someone a patient can consent to: a clinician, an organization (a hospital system client), or the emergency role. */
export interface Grantee {
  /** The on-chain grantee id (bytes32, lowercase hex). */
  readonly id: string;
  readonly kind: 'clinician' | 'organization' | 'emergency';
  /** Display name (a clinician's or organization's; never a patient's). */
  readonly name: string;
  /** `user:<sub>`, `client:<clientId>` or `role:clinician`. */
  readonly reference: string;
}

/**
 * The directory patients choose grantees from: the realm's clinicians (users with the clinician role) and hospital
 * systems (clients whose service account has the hospital-system role), plus the standing emergency grantee (any
 * clinician, break-glass). Read from the realm export the gateway ships (the same file Keycloak imports), so the
 * ids match the tokens' `sub` and `azp`.
 */
export class ConsentDirectory {
  private readonly byId = new Map<string, Grantee>();

  constructor(realm: Realm, issuer: string) {
    const add = (kind: Grantee['kind'], reference: string, name: string) => {
      const id = granteeId(issuer, reference);
      this.byId.set(id, { id, kind, name, reference });
    };
    for (const user of realm.users) {
      if (user.serviceAccountClientId || !user.roles.includes('clinician')) continue;
      const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
      add('clinician', `user:${user.id}`, name || user.username);
    }
    for (const user of realm.users) {
      if (!user.serviceAccountClientId || !user.roles.includes('hospital-system')) continue;
      const client = realm.client(user.serviceAccountClientId);
      add('organization', `client:${user.serviceAccountClientId}`, client?.name ?? user.serviceAccountClientId);
    }
    add('emergency', EMERGENCY_GRANTEE_REFERENCE, 'Any clinician, in an emergency (break-glass)');
  }

  /** Every entry, clinicians first, then organizations, then the emergency grantee; by name within each. */
  list(): Grantee[] {
    const order = { clinician: 0, organization: 1, emergency: 2 };
    return [...this.byId.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
  }

  get(id: string): Grantee | undefined {
    return this.byId.get(id.toLowerCase());
  }

  /** The standing emergency grantee. */
  emergency(): Grantee {
    return this.list().find((g) => g.kind === 'emergency')!;
  }
}
