import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { APP_CONFIG, type AppConfig } from '../config/index.js';
import type { DatabaseSchema } from './database.schema.js';
import { migrateToLatest, openSqlite, pingDatabase } from './sqlite-database.js';

/** Owns the gateway's database connection: opened and migrated at boot, closed at shutdown. */
@Injectable()
export class DatabaseService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('store');
  readonly db: Kysely<DatabaseSchema>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.db = openSqlite(config.database.file);
  }

  async onModuleInit(): Promise<void> {
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

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}
