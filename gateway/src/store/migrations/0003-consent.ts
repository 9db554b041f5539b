import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Consent (design.md §2.2) and key releases (§2.1). No health data: the chain view mirrors what is public on-chain
 * (addresses, grantee ids, purposes, hashes, windows, blocks); the off-chain terms hold the canonical scope JSON
 * (compartments and model ids); releases are compartment secrets sealed to the gateway's release key; emergency
 * reasons are sealed under a master-derived key; the access log names pseudonymous actors, resource types and
 * outcomes, never contents.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { binary, int8 } = columnTypes(db);

  // ---- the chain view, written only by the indexer (eth_getLogs from a cursor, block-hash checks) ----
  await db.schema
    .createTable('chain_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('block_number', int8, (c) => c.notNull())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('synced_at', int8, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('chain_block')
    .addColumn('block_number', int8, (c) => c.primaryKey())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('consent_grant')
    .addColumn('consent_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_address', 'text', (c) => c.notNull())
    .addColumn('grantee', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('scope_hash', 'text', (c) => c.notNull())
    .addColumn('not_before', int8, (c) => c.notNull())
    .addColumn('not_after', int8, (c) => c.notNull())
    .addColumn('block_number', int8, (c) => c.notNull())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_grant_grantee').on('consent_grant').columns(['grantee', 'patient_address']).execute();
  await db.schema.createIndex('consent_grant_patient').on('consent_grant').column('patient_address').execute();
  await db.schema
    .createTable('consent_revocation')
    .addColumn('consent_id', 'text', (c) => c.primaryKey())
    .addColumn('block_number', int8, (c) => c.notNull())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('emergency_access')
    .addColumn('access_id', 'text', (c) => c.primaryKey())
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('patient_address', 'text', (c) => c.notNull())
    .addColumn('grantee', 'text', (c) => c.notNull())
    .addColumn('reason_hash', 'text', (c) => c.notNull())
    .addColumn('declared_at', int8, (c) => c.notNull())
    .addColumn('not_after', int8, (c) => c.notNull())
    .addColumn('block_number', int8, (c) => c.notNull())
    .addColumn('block_hash', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('emergency_access_grantee').on('emergency_access').columns(['grantee', 'patient_address']).execute();
  await db.schema.createIndex('emergency_access_patient').on('emergency_access').column('patient_address').execute();

  // ---- off-chain terms and key releases, written by the consent service ----
  await db.schema
    .createTable('consent_terms')
    .addColumn('consent_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patient_store.patient_id'))
    .addColumn('grantee_ref', 'text', (c) => c.notNull())
    .addColumn('grantee_name', 'text', (c) => c.notNull())
    .addColumn('scope_json', 'text', (c) => c.notNull())
    .addColumn('fhir_consent_id', 'text')
    .addColumn('created_at', int8, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_terms_patient').on('consent_terms').column('patient_id').execute();
  await db.schema
    .createTable('key_release')
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('compartment', 'text', (c) => c.notNull())
    .addColumn('envelope', binary, (c) => c.notNull())
    .addColumn('not_after', int8, (c) => c.notNull())
    .addPrimaryKeyConstraint('key_release_pk', ['consent_id', 'compartment'])
    .execute();
  await db.schema
    .createTable('emergency_reason')
    .addColumn('access_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text', (c) => c.notNull())
    .addColumn('clinician_ref', 'text', (c) => c.notNull())
    .addColumn('clinician_name', 'text', (c) => c.notNull())
    .addColumn('sealed_reason', binary, (c) => c.notNull())
    .addColumn('created_at', int8, (c) => c.notNull())
    .execute();

  // ---- the access log (issue 6 turns it into the anchored Merkle log) ----
  await db.schema
    .createTable('access_event')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('at', int8, (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('interaction', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('consent_id', 'text')
    .addColumn('emergency_id', 'text')
    .execute();
  await db.schema.createIndex('access_event_patient').on('access_event').columns(['patient_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['access_event', 'emergency_reason', 'key_release', 'consent_terms', 'emergency_access', 'consent_revocation', 'consent_grant', 'chain_block', 'chain_cursor']) {
    await db.schema.dropTable(table).execute();
  }
}
