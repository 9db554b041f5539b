import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * The verifiable audit log (design.md §2.4), beside the clinical store: its own tables, no foreign key into the
 * records, nothing but pseudonymous ids and hashes.
 * - `audit_entry`: one row per leaf of the RFC 9162 tree; `entry` holds the exact RFC 8785 bytes that were hashed,
 *   `leaf_hash` their leaf hash (a cache the verifier never trusts); the other columns are copies of fields of the
 *   entry for the regulator's filters.
 * - `audit_anchor`: tree heads as the gateway anchored them on `AuditAnchor` (the chain is the authority).
 * - `audit_actor`: display names of actor pseudonyms, for the patient's own timeline only (names stay out of the log).
 * The group-committed `access_event` table of issue 4 is replaced by the log; `diagnosis.audit_leaf` records where
 * each diagnosis's entry landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { int8, binary } = columnTypes(db);
  await db.schema
    .createTable('audit_entry')
    .addColumn('leaf_index', int8, (c) => c.primaryKey())
    .addColumn('at', int8, (c) => c.notNull())
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', binary, (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('patient', 'text')
    .addColumn('purpose', 'text')
    .addColumn('model_id', 'text')
    .addColumn('consent_id', 'text')
    .execute();
  await db.schema.createIndex('audit_entry_patient').on('audit_entry').columns(['patient', 'leaf_index']).execute();
  await db.schema.createIndex('audit_entry_at').on('audit_entry').column('at').execute();
  await db.schema.createIndex('audit_entry_actor').on('audit_entry').columns(['actor', 'leaf_index']).execute();

  await db.schema
    .createTable('audit_anchor')
    .addColumn('anchor_index', int8, (c) => c.primaryKey())
    .addColumn('tree_size', int8, (c) => c.notNull().unique())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .addColumn('block_number', int8, (c) => c.notNull())
    .addColumn('anchored_at', int8, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_actor')
    .addColumn('actor', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .execute();

  await db.schema.dropTable('access_event').execute();
  // Where each diagnosis's `diagnose` entry landed, for its receipt's proof.
  await db.schema.alterTable('diagnosis').addColumn('audit_leaf', int8).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('diagnosis').dropColumn('audit_leaf').execute();
  for (const table of ['audit_actor', 'audit_anchor', 'audit_entry']) await db.schema.dropTable(table).execute();
}
