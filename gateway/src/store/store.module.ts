import { Global, Module } from '@nestjs/common';
import { DatabaseService } from './database.service.js';

/** The gateway's database: connection, migrations, readiness. */
@Global()
@Module({ providers: [DatabaseService], exports: [DatabaseService] })
export class StoreModule {}
