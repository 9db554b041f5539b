import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * The encrypted patient stores (design.md §2.1). Nothing here is health data in plaintext: resources are sealed
 * (`sealed`), batch keys are wrapped (`envelope`), escrow secrets are wrapped under the gateway's master key,
 * identifiers and search values exist only as keyed hashes (`match_hash`, `token`). What is plain is routing
 * metadata: random record ids, resource types, compartments, version numbers and write times.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { binary, int8 } = columnTypes(db);
  await db.schema
    .createTable('patient_store')
    .addColumn('patient_id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', int8, (c) => c.notNull())
    .addColumn('escrow_secret', binary)
    .addColumn('claimed_at', int8)
    .addColumn('owner_address', 'text')
    .addColumn('compartment_keys', 'text')
    .addColumn('keys_mac', binary)
    .execute();

  await db.schema
    .createTable('patient_identifier')
    .addColumn('match_hash', binary, (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patient_store.patient_id'))
    .execute();
  await db.schema.createIndex('patient_identifier_patient').on('patient_identifier').column('patient_id').execute();

  await db.schema
    .createTable('record_key')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patient_store.patient_id'))
    .addColumn('compartment', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('envelope', binary, (c) => c.notNull())
    .addColumn('created_at', int8, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('record_key_patient').on('record_key').columns(['patient_id', 'compartment']).execute();

  await db.schema
    .createTable('record')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patient_store.patient_id'))
    .addColumn('compartment', 'text', (c) => c.notNull())
    .addColumn('version_id', int8, (c) => c.notNull())
    .addColumn('deleted', int8, (c) => c.notNull())
    .addColumn('custodian', 'text', (c) => c.notNull())
    .addColumn('last_updated', int8, (c) => c.notNull())
    .addPrimaryKeyConstraint('record_pk', ['resource_type', 'resource_id'])
    .execute();
  await db.schema.createIndex('record_patient_type').on('record').columns(['patient_id', 'resource_type']).execute();

  await db.schema
    .createTable('record_version')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('version_id', int8, (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('compartment', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull().references('record_key.key_id'))
    .addColumn('sealed', binary)
    .addColumn('deleted', int8, (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('last_updated', int8, (c) => c.notNull())
    .addPrimaryKeyConstraint('record_version_pk', ['resource_type', 'resource_id', 'version_id'])
    .execute();
  await db.schema.createIndex('record_version_patient').on('record_version').column('patient_id').execute();

  await db.schema
    .createTable('record_index')
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('token', binary, (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_index_pk', ['patient_id', 'token', 'resource_type', 'resource_id'])
    .execute();
  await db.schema.createIndex('record_index_record').on('record_index').columns(['resource_type', 'resource_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['record_index', 'record_version', 'record', 'record_key', 'patient_identifier', 'patient_store']) {
    await db.schema.dropTable(table).execute();
  }
}
