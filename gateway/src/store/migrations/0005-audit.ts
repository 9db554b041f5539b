import { type Kysely, sql } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * The verifiable audit log (design.md §2.4), beside the clinical store: its own tables, no foreign key into the
 * records, nothing but pseudonymous ids and hashes.
 * - `audit_entry`: one row per leaf of the RFC 9162 tree; `entry` holds the exact RFC 8785 bytes that were hashed,
 *   `leaf_hash` their leaf hash (a cache the verifier never trusts); the other columns are copies of fields of the
 *   entry for the regulator's filters.
 * - `audit_anchor`: tree heads as the gateway anchored them on `AuditAnchor` (the chain is the authority).
 * - `audit_actor`: display names of actor pseudonyms, for the patient's own timeline only (names stay out of the log).
 * On SQLite the three tables live in the audit file attached as schema `audit` (see openSqlite); on PostgreSQL in
 * the same database as the store.
 * The group-committed `access_event` table of issue 4 is replaced by the log; `diagnosis.audit_leaf` records where
 * each diagnosis's entry landed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { int8, binary, dialect } = columnTypes(db);
  const schema = dialect === 'sqlite' ? db.schema.withSchema('audit') : db.schema;
  await schema
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
  // SQLite names an attached schema's index as schema.index with the table unqualified: one statement for both.
  const prefix = dialect === 'sqlite' ? 'audit.' : '';
  for (const [name, columns] of [['audit_entry_patient', 'patient, leaf_index'], ['audit_entry_at', 'at'], ['audit_entry_actor', 'actor, leaf_index']] as const) {
    await sql.raw(`create index ${prefix}${name} on audit_entry (${columns})`).execute(db);
  }

  await schema
    .createTable('audit_anchor')
    .addColumn('anchor_index', int8, (c) => c.primaryKey())
    .addColumn('tree_size', int8, (c) => c.notNull().unique())
    .addColumn('root_hash', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .addColumn('block_number', int8, (c) => c.notNull())
    .addColumn('anchored_at', int8, (c) => c.notNull())
    .execute();

  await schema
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
  const schema = columnTypes(db).dialect === 'sqlite' ? db.schema.withSchema('audit') : db.schema;
  for (const table of ['audit_actor', 'audit_anchor', 'audit_entry']) await schema.dropTable(table).execute();
}
