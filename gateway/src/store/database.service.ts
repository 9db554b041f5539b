import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import type { DatabaseSchema } from './database.schema.js';
import { migrateToLatest } from './migrate.js';
import { assertDatabaseAnswers, describeDatabase, openDatabase, pingDatabase } from './open-database.js';

/** Owns the gateway's database (SQLite file or PostgreSQL pool): opened and migrated at boot, closed at shutdown. */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('store');
  readonly db: Kysely<DatabaseSchema>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.db = openDatabase(config.database, {
      onIdleError: (error) => this.logger.warn({ error: error.message }, `idle connection to the ${describeDatabase(config.database)} failed; the pool replaces it`),
    });
  }

  /** Fails the boot with a message naming DATABASE_URL (never its password) when the database does not answer. */
  async onModuleInit(): Promise<void> {
    await assertDatabaseAnswers(this.db, this.config.database);
    const { applied } = await migrateToLatest(this.db);
    this.logger.log({ kind: this.config.database.kind, applied }, applied.length ? 'database migrated' : 'database schema up to date');
  }

  /** Readiness: the store answers a query. */
  async checkReady(): Promise<{ up: boolean; detail: string }> {
    try {
      await pingDatabase(this.db);
      return { up: true, detail: `${this.config.database.kind} open` };
    } catch (error) {
      return { up: false, detail: `${this.config.database.kind} not answering: ${(error as Error).message}` };
    }
  }

  /** Closes the SQLite file or ends the PostgreSQL pool (waiting for checked-out connections to come back). */
  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}
