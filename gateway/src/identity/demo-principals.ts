import type { Realm } from './realm.model.js';

/** The realm file's demo accounts, as the token verifier recognises them in production. */
export interface DemoPrincipals {
  /** Fixed `sub` ids of the demo users (service-account users included). */
  readonly userIds: ReadonlySet<string>;
  /** Their usernames, lower-cased as Keycloak stores them (`preferred_username`). */
  readonly usernames: ReadonlySet<string>;
  /** Client ids (`azp`) of the demo clients. */
  readonly clientIds: ReadonlySet<string>;
}

/**
 * The demo accounts (users and clients marked `demo`) of a realm loaded with them. Production refuses their
 * tokens whichever identity provider issued them: by id for an import that kept the file's ids, and by username
 * and client id for demo accounts re-created by hand, which get new ids but may keep the documented passwords.
 */
export function demoPrincipals(realm: Realm): DemoPrincipals {
  const users = realm.users.filter((u) => u.demo);
  return {
    userIds: new Set(users.map((u) => u.id)),
    usernames: new Set(users.map((u) => u.username.toLowerCase())),
    clientIds: new Set(realm.clients.filter((c) => c.demo).map((c) => c.clientId)),
  };
}
