/**
 * The SQLite audit writer's worker thread (CommonJS, run with `eval: true` so it needs no file of its own in the
 * build). It owns one connection to the audit file and commits each batch it is sent in one IMMEDIATE transaction
 * (synchronous=FULL), so the disk flush happens off the gateway's event loop. Entries arrive without `seq` and
 * `prev`; the worker numbers them after the last stored leaf, links each to its predecessor's leaf hash,
 * canonicalizes (RFC 8785, the `canonicalize` package as on the main thread) and hashes (SHA-256(0x00 || text)).
 */
export const AUDIT_WRITER_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const SQLite = require(workerData.sqlitePath);
const canonicalizeModule = require(workerData.canonicalizePath);
const canonicalize = typeof canonicalizeModule === 'function' ? canonicalizeModule : canonicalizeModule.default;
const db = new SQLite(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = FULL');
const last = db.prepare('select leaf_index, leaf_hash from audit_entry order by leaf_index desc limit 1');
const insert = db.prepare('insert into audit_entry (leaf_index, at, entry, leaf_hash, actor, action, outcome, patient, purpose, model_id, consent_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const actor = db.prepare('insert into audit_actor (actor, name, role) values (?, ?, ?) on conflict (actor) do update set name = excluded.name, role = excluded.role');
const commit = db.transaction((drafts) => {
  const row = last.get();
  let seq = row ? Number(row.leaf_index) + 1 : 0;
  let prev = row ? Buffer.from(row.leaf_hash).toString('hex') : '0'.repeat(64);
  const out = [];
  for (const draft of drafts) {
    const entry = Object.assign({}, draft.entry, { seq, prev });
    const text = canonicalize(entry);
    const hash = createHash('sha256').update(Buffer.of(0)).update(text, 'utf8').digest();
    insert.run(seq, draft.atMs, text, hash, entry.actor, entry.action, entry.outcome, entry.patient ?? null, entry.purpose ?? null, entry.model ? entry.model.id : null, entry.consent ?? null);
    if (draft.actorName !== undefined) actor.run(entry.actor, draft.actorName, entry.role);
    prev = hash.toString('hex');
    out.push({ leafIndex: seq, leafHash: prev, entry: text });
    seq += 1;
  }
  return out;
});
parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ id: message.id, closed: true });
    return;
  }
  try {
    // JSON text both ways: cloning one string costs far less than structured-cloning an array of objects.
    parentPort.postMessage({ id: message.id, appended: JSON.stringify(commit.immediate(JSON.parse(message.drafts))) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.message) || error) });
  }
});
`;
