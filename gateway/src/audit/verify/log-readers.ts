import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { auditFileOf, openDatabase, type DatabaseSchema } from '../../store/index.js';
import type { ServedEntry } from './entry-chain.js';

/** Entries per request to GET /audit/entries (the API's maximum). */
const PAGE = 1000;
/** Rows per query when reading the database directly. */
const ROWS = 10_000;

/** A source failed (unreachable, refused, malformed): exit code 2, not a discrepancy. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}

interface EntriesPage {
  readonly entries: readonly { readonly leafIndex: number; readonly leafHash?: string; readonly canonical: string }[];
  readonly next?: string;
}

/**
 * The whole log through the regulator API, in pages of 1,000 (`GET /audit/entries?after=…&limit=1000`, ascending),
 * as the gateway serves it: the verifier keeps only the exact stored text and the claimed leaf hash.
 */
export async function readEntriesFromGateway(baseUrl: string, token: string): Promise<ServedEntry[]> {
  const entries: ServedEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const url = new URL('/audit/entries', baseUrl);
    url.searchParams.set('limit', String(PAGE));
    url.searchParams.set('order', 'asc');
    if (after !== undefined) url.searchParams.set('after', after);
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    } catch (error) {
      throw new SourceError(`expected the gateway at ${baseUrl} to answer GET /audit/entries, got ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
    }
    if (response.status !== 200) throw new SourceError(`expected 200 from GET ${url.pathname}${url.search}, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const page = (await response.json()) as EntriesPage;
    if (!Array.isArray(page.entries)) throw new SourceError(`expected { entries: [...] } from GET ${url.pathname}, got ${JSON.stringify(page).slice(0, 200)}`);
    for (const e of page.entries) entries.push({ leafIndex: Number(e.leafIndex), canonical: String(e.canonical), ...(e.leafHash !== undefined ? { leafHash: String(e.leafHash) } : {}) });
    if (page.next === undefined || page.entries.length === 0) return entries;
    after = page.next;
  }
}

/**
 * The whole log read straight from `audit_entry` (SQLite file or PostgreSQL), ordered by leaf index.
 * @param database `postgres://…`, `sqlite:<path>` or a path to the gateway's SQLite file (its audit log is the
 *   `.audit.sqlite` file beside it, which openSqlite attaches).
 */
export async function readEntriesFromDatabase(database: string): Promise<ServedEntry[]> {
  const config = /^postgres(ql)?:\/\//.test(database)
    ? ({ kind: 'postgres', url: database, poolSize: 2 } as const)
    : ({ kind: 'sqlite', file: resolve(database.replace(/^sqlite:(\/\/)?/, '')) } as const);
  // openSqlite creates a missing file; a verifier must not conjure an empty log.
  if (config.kind === 'sqlite') {
    for (const file of [config.file, auditFileOf(config.file)]) if (!existsSync(file)) throw new SourceError(`--database: expected a SQLite database at ${file}, found no file`);
  }
  let db: Kysely<DatabaseSchema>;
  try {
    db = openDatabase(config);
  } catch (error) {
    throw new SourceError((error as Error).message.replace(/^DATABASE_URL/, '--database'));
  }
  try {
    const entries: ServedEntry[] = [];
    for (let after = -1; ; ) {
      const rows = await db.selectFrom('audit_entry').select(['leaf_index', 'entry', 'leaf_hash']).where('leaf_index', '>', after).orderBy('leaf_index').limit(ROWS).execute();
      for (const row of rows) entries.push({ leafIndex: Number(row.leaf_index), canonical: row.entry, leafHash: Buffer.from(row.leaf_hash).toString('hex') });
      if (rows.length < ROWS) return entries;
      after = Number(rows.at(-1)!.leaf_index);
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(`expected to read audit_entry from ${config.kind === 'sqlite' ? config.file : 'the PostgreSQL database'}, got ${(error as Error).message}`);
  } finally {
    await db.destroy();
  }
}
