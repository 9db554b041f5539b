import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { DatabaseSchema } from '../store/index.js';

/** Shared by every model's adapter: the database, a clock and the throttle of the expiry purge. */
export interface KyselyOidcStore {
  readonly db: Kysely<DatabaseSchema>;
  readonly now?: () => number;
}

const PURGE_INTERVAL_S = 60;

/**
 * oidc-provider's storage adapter (sessions, interactions, codes, grants, refresh tokens) over the
 * `oidc_payload` table, one instance per model, on either database (SQLite or PostgreSQL: the upsert is
 * `INSERT … ON CONFLICT DO UPDATE`, which both accept; times are int8 columns read back as numbers; payloads
 * are JSON text). JWT access tokens are self-contained and never stored. Rows carry their expiry; expired rows
 * are never returned and are purged at most once a minute. Payloads hold pseudonymous subject ids and token
 * metadata only, never passwords or health data.
 */
export class KyselyOidcAdapter implements Adapter {
  private static lastPurge = new WeakMap<object, number>();

  constructor(
    private readonly store: KyselyOidcStore,
    private readonly model: string,
  ) {}

  private now(): number {
    return Math.floor((this.store.now ?? Date.now)() / 1000);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const now = this.now();
    const row = {
      model: this.model,
      id,
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      user_code: payload.userCode ?? null,
      uid: payload.uid ?? null,
      expires_at: expiresIn ? now + expiresIn : null,
      consumed_at: null,
    };
    await this.store.db
      .insertInto('oidc_payload')
      .values(row)
      .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet({ payload: row.payload, grant_id: row.grant_id, user_code: row.user_code, uid: row.uid, expires_at: row.expires_at }))
      .execute();
    await this.purgeExpired(now);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.store.db.updateTable('oidc_payload').set({ consumed_at: this.now() }).where('model', '=', this.model).where('id', '=', id).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.store.db.deleteFrom('oidc_payload').where('model', '=', this.model).where('id', '=', id).execute();
  }

  /** Revokes everything issued under a grant (codes, tokens), across models, as the reference memory adapter does. */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.store.db.deleteFrom('oidc_payload').where('grant_id', '=', grantId).execute();
  }

  private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.store.db
      .selectFrom('oidc_payload')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where('model', '=', this.model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= this.now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at !== null ? { ...payload, consumed: Number(row.consumed_at) } : payload;
  }

  private async purgeExpired(now: number): Promise<void> {
    const last = KyselyOidcAdapter.lastPurge.get(this.store) ?? 0;
    if (now - last < PURGE_INTERVAL_S) return;
    KyselyOidcAdapter.lastPurge.set(this.store, now);
    await this.store.db.deleteFrom('oidc_payload').where('expires_at', '<=', now).execute();
  }
}

/** The adapter factory oidc-provider calls once per model name. */
export function kyselyOidcAdapterFactory(store: KyselyOidcStore): (model: string) => Adapter {
  return (model: string) => new KyselyOidcAdapter(store, model);
}
