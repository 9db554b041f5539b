import { randomBytes } from 'node:crypto';
import { LoginThrottle } from './login-throttle.js';
import { hashPassword, type PasswordCredential, verifyPassword } from './password-hash.js';
import type { Realm, RealmUser } from './realm.model.js';

/** Longest password we hash; longer input is refused without revealing anything about the account. */
const MAX_PASSWORD_LENGTH = 1024;

/** The outcome of one password check. Callers answer every refusal the same way; `throttled` is for the log. */
export interface Authentication {
  /** The user, when the credentials are right and no lockout applies. */
  readonly user?: RealmUser;
  /** Refused without checking the password: too many recent failures for this login name or client address. */
  readonly throttled?: boolean;
}

/**
 * Checks a username (or email) and password against the realm, for the login form and the password grant.
 * Unknown users, users without a password and wrong passwords are indistinguishable to the caller: the same
 * refusal, after the same PBKDF2 work (a dummy hash stands in for a missing credential), so neither the answer nor
 * its timing enumerates accounts (OWASP ASVS V2.2). When the realm has brute-force detection on, repeated failures
 * lock the login name and the client address out for a while ({@link LoginThrottle}), with that same refusal.
 */
export class PasswordAuthenticator {
  private dummy: Promise<PasswordCredential> | undefined;
  private readonly throttle: LoginThrottle | undefined;

  constructor(private readonly realm: Realm) {
    this.throttle = realm.bruteForce ? new LoginThrottle(realm.bruteForce) : undefined;
  }

  /** Checks `login`/`password` presented from client `address` (see `clientAddress`). */
  async authenticate(login: string, password: string, address: string): Promise<Authentication> {
    if (this.throttle && !this.throttle.begin(login, address)) return { throttled: true };
    let user: RealmUser | undefined;
    try {
      user = await this.check(login, password);
    } finally {
      this.throttle?.finish(login, address, user !== undefined);
    }
    return user ? { user } : {};
  }

  private async check(login: string, password: string): Promise<RealmUser | undefined> {
    const user = login.length <= 256 ? this.realm.userByLogin(login) : undefined;
    const credential = user?.password ?? (await this.dummyCredential());
    const candidate = password.length <= MAX_PASSWORD_LENGTH ? password : '';
    const matches = await verifyPassword(candidate, credential);
    return user?.password && matches && candidate === password ? user : undefined;
  }

  private dummyCredential(): Promise<PasswordCredential> {
    // As costly as the realm's most expensive real credential, so a miss takes as long as a hit.
    this.dummy ??= hashPassword(randomBytes(16).toString('base64url'), Math.max(27_500, ...this.realm.users.map((u) => u.password?.hashIterations ?? 0)));
    return this.dummy;
  }
}
