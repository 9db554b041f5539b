import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet, JWK } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import { DatabaseService } from '../store/index.js';
import type { DemoAccounts } from './demo-accounts.js';
import { collectDemoAccounts, writeDemoAccountsFile } from './demo-accounts.file.js';
import { type IdentityKeys, loadOrCreateIdentityKeys } from './identity-keys.js';
import { identityRoutes } from './identity.routes.js';
import { LoginInteraction } from './login.interaction.js';
import { createOidcProvider } from './oidc-provider.factory.js';
import { PasswordAuthenticator } from './password-authenticator.js';
import { SUPPORTED_MAPPERS } from './protocol-mappers.js';
import type { Realm } from './realm.model.js';
import { loadRealm, loopbackAlternates, REALM_FILE, RealmError } from './realm.loader.js';
import { IdentityService } from './identity.service.js';
import { UserinfoEndpoint } from './userinfo.endpoint.js';

/**
 * The embedded Keycloak-compatible identity provider (`config.identity.mode === 'embedded'`): loads the realm
 * file and the persisted keys at boot and mounts the provider at `/auth/realms/<realm>` on the gateway's own
 * Fastify instance, in the same process and port.
 */
@Injectable()
export class EmbeddedIdentityService extends IdentityService implements OnModuleInit {
  private readonly logger = new Logger('identity');
  private jwks: JSONWebKeySet | undefined;
  private accounts: DemoAccounts | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DatabaseService) private readonly database: DatabaseService,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    super(config);
  }

  async onModuleInit(): Promise<void> {
    const { config } = this;
    const realm = loadRealm(REALM_FILE, {
      publicUrl: config.http.publicUrl,
      excludeDemo: config.production,
      alternateRoots: config.production ? [] : loopbackAlternates(config.http.publicUrl),
    });
    if (realm.name !== config.identity.realm) {
      throw new RealmError(`KEYCLOAK_REALM is "${config.identity.realm}" but the realm file defines "${realm.name}"`);
    }
    this.warnAboutUnsupportedMappers(realm);
    const keys = await loadOrCreateIdentityKeys(config.dataDir);
    const publicKey: KeyObject = createPublicKey({ key: keys.signingKey as never, format: 'jwk' });
    const authenticator = new PasswordAuthenticator(realm);
    const provider = createOidcProvider({
      issuer: this.issuer,
      realm,
      keys,
      db: this.database.db,
      authenticator,
      gatewayClientId: config.identity.clientId,
      trustProxy: config.production,
    });
    provider.on('server_error', (_ctx: unknown, error: Error) => this.logger.error({ err: { name: error.name, message: error.message } }, 'identity provider error'));

    if (!config.production) this.accounts = collectDemoAccounts(realm, `${this.issuer}/protocol/openid-connect/token`);
    const hint = this.accounts ? 'Development mode: the demo accounts are listed in demo-accounts.json in the data directory.' : undefined;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Not awaited: the plugin loads when the app becomes ready, after Nest installed its error handler, so errors
    // on these routes get OperationOutcomes too (an awaited register locks in Fastify's default handler).
    void fastify.register(identityRoutes, {
      mountPath: `/auth/realms/${realm.name}`,
      issuerPath: new URL(this.issuer).pathname,
      provider,
      login: new LoginInteraction(provider, realm, authenticator, this.logger, { trustProxy: config.production, ...(hint ? { hint } : {}) }),
      userinfo: new UserinfoEndpoint(provider, realm, publicKey),
      logger: this.logger,
    });
    if (this.accounts) writeDemoAccountsFile(config.dataDir, this.accounts);

    this.jwks = { keys: [publicJwk(publicKey, keys.signingKey)] };
    this.logger.log(
      { issuer: this.issuer, kid: keys.signingKey.kid, users: realm.users.length, clients: realm.clients.length, demo: !config.production },
      'embedded identity provider ready',
    );
  }

  /** The signing key's public half, as the certs endpoint publishes it; available once the provider is mounted. */
  override async publicJwks(): Promise<JSONWebKeySet> {
    if (!this.jwks) throw new Error('the embedded identity provider has not started');
    // A copy: keycloak-connect keeps and may clear the array it is given.
    return structuredClone(this.jwks);
  }

  /** The demo accounts; undefined in production, where none are loaded. */
  override demoAccounts(): DemoAccounts | undefined {
    return this.accounts;
  }

  private warnAboutUnsupportedMappers(realm: Realm): void {
    const mappers = [...realm.clientScopes.flatMap((s) => s.protocolMappers), ...realm.clients.flatMap((c) => c.protocolMappers)];
    const unsupported = [...new Set(mappers.map((m) => m.protocolMapper).filter((t) => !SUPPORTED_MAPPERS.has(t)))];
    if (unsupported.length) this.logger.warn({ mappers: unsupported }, 'protocol mappers not implemented by the embedded provider are ignored');
  }
}

/** The public JWK of the signing key with its `kid`, `alg` and `use` (RFC 7517 §4), never a private member. */
function publicJwk(publicKey: KeyObject, signingKey: IdentityKeys['signingKey']): JWK {
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  return { kty, n, e, kid: signingKey.kid, ...(signingKey.alg ? { alg: signingKey.alg } : {}), ...(signingKey.use ? { use: signingKey.use } : {}) };
}
