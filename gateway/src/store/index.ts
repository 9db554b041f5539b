export type { DatabaseSchema } from './database.schema.js';
export { DatabaseService } from './database.service.js';
export { migrateToLatest, openSqlite } from './sqlite-database.js';
export { StoreModule } from './store.module.js';
