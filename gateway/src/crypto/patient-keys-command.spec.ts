import { Mnemonic } from 'ethers';
import { fromBase64Url, toBase64Url, toHex, utf8 } from './bytes.js';
import { COMPARTMENTS } from './compartments.js';
import { PATIENT_KEYS_USAGE, runPatientKeysCli } from './patient-keys-command.js';
import { derivePatientKeys } from './patient-keys.js';
import { newBatchKey, sealRecord, wrapBatchKey } from './record-seal.js';
import type { SealedStoreExport } from './sealed-store.js';
import { nobleX25519 } from './x25519.js';

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const ADDRESS = '0x9858EfFD232B4033E47d90003D41EC34EcaEda94';
const SIGNATURE = '0xf4b824384e8aa22451b0d9a53e7364e32fcb9b7635bdf654ff9bd9f92fea979f40af7799ee2715322e819b8ea0899c065e2df7a639dbc2e8c784dd46cf2f41e51b';
const keys = derivePatientKeys(ABANDON);
const compartmentKeys = Object.fromEntries(COMPARTMENTS.map((name) => [name, toBase64Url(keys.compartments[name].publicKey)]));
const BAD_CHECKSUM = Array(12).fill('abandon').join(' ');

interface Run {
  env?: Record<string, string>;
  stdin?: string;
  files?: Record<string, string>;
}

async function run(argv: string[], { env = {}, stdin = '', files = {} }: Run = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPatientKeysCli(argv, {
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    readStdin: async () => stdin,
    readFile: async (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
    now: () => 1790000000,
  });
  return { code, out, err };
}

const usageError = (message: string): string => `${message}\n${PATIENT_KEYS_USAGE}`;

/** A one-compartment export: a lab result, its amended version, and a delete. */
function exportFile(): { store: SealedStoreExport; text: string } {
  const batchKey = newBatchKey();
  const context = { patient: 'pat-1', compartment: 'labs', keyId: 'k1' };
  const version = (versionId: string, status: string) => ({
    resourceType: 'Observation',
    id: 'obs-1',
    versionId,
    compartment: 'labs' as const,
    keyId: 'k1',
    lastUpdated: `2026-02-0${versionId}T10:00:00Z`,
    deleted: false,
    sealed: toBase64Url(sealRecord(batchKey, { ...context, resourceType: 'Observation', id: 'obs-1', versionId }, utf8(JSON.stringify({ resourceType: 'Observation', id: 'obs-1', status })))),
  });
  const store: SealedStoreExport = {
    patient: 'pat-1',
    keys: [{ keyId: 'k1', compartment: 'labs', envelope: toBase64Url(wrapBatchKey(nobleX25519, keys.compartments.labs.publicKey, batchKey, context)) }],
    records: [version('1', 'preliminary'), version('2', 'final'), { resourceType: 'Observation', id: 'obs-1', versionId: '3', compartment: 'labs', keyId: 'k1', lastUpdated: '2026-02-03T10:00:00Z', deleted: true }],
  };
  return { store, text: JSON.stringify(store) };
}

describe('patient-keys command', () => {
  it('derive prints the address and compartment public keys, and no secret', async () => {
    const result = await run(['derive'], { env: { PATIENT_MNEMONIC: ABANDON } });
    expect(result).toEqual({ code: 0, err: [], out: [JSON.stringify({ address: ADDRESS, compartmentKeys }, null, 2)] });
    const secrets = [keys.signingKey.slice(2), ...COMPARTMENTS.flatMap((name) => [toHex(keys.compartments[name].secretKey), toBase64Url(keys.compartments[name].secretKey)])];
    for (const secret of secrets) expect(result.out[0]).not.toContain(secret);
  });

  it('reads the mnemonic from standard input when PATIENT_MNEMONIC is unset or blank', async () => {
    const expected = { code: 0, err: [], out: [JSON.stringify({ address: ADDRESS, compartmentKeys }, null, 2)] };
    expect(await run(['derive'], { stdin: `  ${ABANDON.toUpperCase()}\n` })).toEqual(expected);
    expect(await run(['derive'], { env: { PATIENT_MNEMONIC: ' ' }, stdin: ABANDON })).toEqual(expected);
  });

  it('exits 64 when there is no mnemonic at all', async () => {
    expect(await run(['derive'])).toEqual({ code: 64, out: [], err: [usageError('no mnemonic: set PATIENT_MNEMONIC or pipe the mnemonic on standard input')] });
  });

  it('exits 65 on a mnemonic with a bad checksum, without echoing it', async () => {
    expect(await run(['derive'], { env: { PATIENT_MNEMONIC: BAD_CHECKSUM } })).toEqual({
      code: 65,
      out: [],
      err: ['mnemonic: expected a BIP-39 English mnemonic of 12 to 24 words with a valid checksum, got 12 words that are not'],
    });
  });

  it('claim prints the signed known-answer claim, with either option spelling', async () => {
    const claim = { patient: 'pat-kat', compartmentKeys, gateway: 'https://gateway.example', issuedAt: 1790000000, address: ADDRESS, signature: SIGNATURE };
    const expected = { code: 0, err: [], out: [JSON.stringify(claim, null, 2)] };
    expect(await run(['claim', '--patient', 'pat-kat', '--gateway', 'https://gateway.example'], { env: { PATIENT_MNEMONIC: ABANDON } })).toEqual(expected);
    expect(await run(['claim', '--gateway=https://gateway.example', '--patient=pat-kat'], { stdin: ABANDON })).toEqual(expected);
  });

  it.each([
    [['claim', '--patient', 'pat-1'], 'claim: expected --gateway <url>, got none'],
    [['claim', '--gateway', 'https://g.example'], 'claim: expected --patient <id>, got none'],
    [['claim', '--patient', 'pat 1', '--gateway', 'https://g.example'], '--patient: expected a FHIR id (1 to 64 of A-Z a-z 0-9 - .), got "pat 1"'],
    [['claim', '--patient', 'pat-1', '--gateway', 'ftp://g.example'], '--gateway: expected the gateway\'s http(s) base URL, got "ftp://g.example"'],
    [['claim', '--patient', 'pat-1', '--gateway'], '--gateway: expected a value, got none'],
    [['claim', '--mnemonic', ABANDON], 'unknown option --mnemonic'],
    [['claim', '--patient', 'pat-1', '--gateway', 'https://g.example', 'extra'], 'claim: expected no arguments, got 1'],
    [['derive', 'extra'], 'derive: expected no arguments, got 1'],
    [['open'], 'open: expected one export file, got 0'],
    [['new', '--words', '12'], 'unknown option --words'],
    [[], 'expected a command, got none'],
    [['sign'], 'unknown command "sign"'],
  ])('exits 64 with the usage for %j', async (argv, message) => {
    expect(await run(argv, { env: { PATIENT_MNEMONIC: ABANDON } })).toEqual({ code: 64, out: [], err: [usageError(message)] });
  });

  it('help prints the usage on standard output', async () => {
    expect(await run(['--help'])).toEqual({ code: 0, out: [PATIENT_KEYS_USAGE], err: [] });
  });

  it('open prints each record of an export as one JSON line', async () => {
    const { text } = exportFile();
    expect(await run(['open', 'store.json'], { env: { PATIENT_MNEMONIC: ABANDON }, files: { 'store.json': text } })).toEqual({
      code: 0,
      err: [],
      out: [
        '{"resourceType":"Observation","id":"obs-1","versionId":"1","lastUpdated":"2026-02-01T10:00:00Z","deleted":false,"resource":{"resourceType":"Observation","id":"obs-1","status":"preliminary"}}',
        '{"resourceType":"Observation","id":"obs-1","versionId":"2","lastUpdated":"2026-02-02T10:00:00Z","deleted":false,"resource":{"resourceType":"Observation","id":"obs-1","status":"final"}}',
        '{"resourceType":"Observation","id":"obs-1","versionId":"3","lastUpdated":"2026-02-03T10:00:00Z","deleted":true}',
      ],
    });
  });

  it('open exits 65 naming the record that does not open, and prints none of the others', async () => {
    const { store } = exportFile();
    const bytes = fromBase64Url(store.records[1]!.sealed!);
    bytes[40]! ^= 1;
    const tampered = { ...store, records: store.records.map((r, i) => (i === 1 ? { ...r, sealed: toBase64Url(bytes) } : r)) };
    expect(await run(['open', 'store.json'], { env: { PATIENT_MNEMONIC: ABANDON }, files: { 'store.json': JSON.stringify(tampered) } })).toEqual({
      code: 65,
      out: [],
      err: ["store.json: record Observation/obs-1/_history/2 does not open under this patient's keys (wrong keys, or tampered, or moved)"],
    });
  });

  it('open exits 65 when the export is not JSON or not shaped like one', async () => {
    const env = { PATIENT_MNEMONIC: ABANDON };
    expect(await run(['open', 'a.json'], { env, files: { 'a.json': '{"patient":' } })).toEqual({ code: 65, out: [], err: ['a.json: expected a sealed store export as JSON, got text that does not parse'] });
    expect(await run(['open', 'b.json'], { env, files: { 'b.json': '{"patient":"p","keys":[],"records":{}}' } })).toEqual({ code: 65, out: [], err: ['b.json: export.records: expected an array, got object'] });
  });

  it('open exits 66 when the file cannot be read', async () => {
    expect(await run(['open', 'missing.json'], { env: { PATIENT_MNEMONIC: ABANDON } })).toEqual({ code: 66, out: [], err: ['missing.json: cannot read the file (ENOENT)'] });
  });

  it('new prints a fresh valid 24-word mnemonic and warns on standard error to keep it safe', async () => {
    const result = await run(['new']);
    expect(result.code).toBe(0);
    expect(result.err).toEqual([
      'Write these 24 words down and keep them offline. They are the only way to recover your keys, and anyone who\nhas them can read your records and sign as you. They are not stored anywhere.',
    ]);
    expect(result.out).toHaveLength(1);
    expect(result.out[0]!.split(' ')).toHaveLength(24);
    expect(Mnemonic.isValidMnemonic(result.out[0]!)).toBe(true);
  });
});
