import { toBase64Url } from './bytes.js';
import { COMPARTMENTS } from './compartments.js';
import { derivePatientKeys, newMnemonic, type PatientKeys, wipePatientKeys } from './patient-keys.js';
import { SealError } from './record-seal.js';
import { openSealedStore } from './sealed-store.js';
import { parseSealedStoreExport } from './sealed-store-export.js';
import { buildStoreClaim } from './store-claim.js';

/** What the command reads and writes: the entry point wires it to the process, the spec to arrays. */
export interface PatientKeysCliIo {
  /** The environment; only PATIENT_MNEMONIC is read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  out(line: string): void;
  err(line: string): void;
  /** Standard input as text (the mnemonic when PATIENT_MNEMONIC is unset); '' when there is none. */
  readStdin(): Promise<string>;
  /** Reads a file as UTF-8; rejects with a Node-style error (`code`) when it cannot. */
  readFile(path: string): Promise<string>;
  /** Unix seconds, the claim's issuedAt. */
  now(): number;
}

/** Exit codes (sysexits.h): done, usage error, data error, unreadable input file. */
export const PATIENT_KEYS_EXIT = { ok: 0, usage: 64, data: 65, noInput: 66 } as const;

export const PATIENT_KEYS_USAGE = `usage: npm run patient-keys -- <command>
  derive                                 print the patient's address and compartment public keys (JSON)
  claim --patient <id> --gateway <url>   print a signed claim of the patient's store at that gateway (JSON)
  open <export.json>                     open an exported store; print its records as JSON lines
  new                                    print a fresh 24-word mnemonic
The mnemonic is read from PATIENT_MNEMONIC, else from standard input; never from the command line (other users
see command lines in ps). Secret keys are never printed.
Exit codes: 0 done, 64 usage error, 65 data error (bad mnemonic, a record that does not open), 66 unreadable file.`;

const NEW_MNEMONIC_WARNING = `Write these 24 words down and keep them offline. They are the only way to recover your keys, and anyone who
has them can read your records and sign as you. They are not stored anywhere.`;

/** FHIR R4 id datatype: 1 to 64 of [A-Za-z0-9-.]. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** A problem the command reports with an exit code and a message, never a stack trace. */
class CliProblem extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function usage(message: string): CliProblem {
  return new CliProblem(PATIENT_KEYS_EXIT.usage, `${message}\n${PATIENT_KEYS_USAGE}`);
}

/** Splits `--name value` / `--name=value` options from positionals; only `names` are known. */
function parseOptions(args: readonly string[], names: readonly string[]): { options: Map<string, string>; positionals: string[] } {
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!names.includes(name)) throw usage(`unknown option --${name}`);
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw usage(`--${name}: expected a value, got none`);
    options.set(name, value);
  }
  return { options, positionals };
}

function noPositionals(command: string, positionals: readonly string[]): void {
  if (positionals.length > 0) throw usage(`${command}: expected no arguments, got ${positionals.length}`);
}

function isHttpUrl(text: string): boolean {
  try {
    return /^https?:$/.test(new URL(text).protocol);
  } catch {
    return false;
  }
}

async function withKeys<T>(io: PatientKeysCliIo, use: (keys: PatientKeys) => Promise<T> | T): Promise<T> {
  const fromEnv = io.env.PATIENT_MNEMONIC;
  const mnemonic = fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : await io.readStdin();
  if (mnemonic.trim() === '') throw usage('no mnemonic: set PATIENT_MNEMONIC or pipe the mnemonic on standard input');
  let keys: PatientKeys;
  try {
    keys = derivePatientKeys(mnemonic);
  } catch (error) {
    // normalizeMnemonic's message counts words and never quotes them.
    throw new CliProblem(PATIENT_KEYS_EXIT.data, `mnemonic: ${(error as Error).message}`);
  }
  try {
    return await use(keys);
  } finally {
    wipePatientKeys(keys);
  }
}

async function derive(args: readonly string[], io: PatientKeysCliIo): Promise<void> {
  noPositionals('derive', parseOptions(args, []).positionals);
  await withKeys(io, (keys) => {
    const compartmentKeys = Object.fromEntries(COMPARTMENTS.map((name) => [name, toBase64Url(keys.compartments[name].publicKey)]));
    io.out(JSON.stringify({ address: keys.address, compartmentKeys }, null, 2));
  });
}

async function claim(args: readonly string[], io: PatientKeysCliIo): Promise<void> {
  const { options, positionals } = parseOptions(args, ['patient', 'gateway']);
  noPositionals('claim', positionals);
  const patient = options.get('patient');
  const gateway = options.get('gateway');
  if (patient === undefined) throw usage('claim: expected --patient <id>, got none');
  if (gateway === undefined) throw usage('claim: expected --gateway <url>, got none');
  if (!FHIR_ID.test(patient)) throw usage(`--patient: expected a FHIR id (1 to 64 of A-Z a-z 0-9 - .), got ${JSON.stringify(patient)}`);
  if (!isHttpUrl(gateway)) throw usage(`--gateway: expected the gateway's http(s) base URL, got ${JSON.stringify(gateway)}`);
  const signed = await withKeys(io, (keys) => buildStoreClaim(keys, patient, gateway, io.now()));
  io.out(JSON.stringify(signed, null, 2));
}

async function open(args: readonly string[], io: PatientKeysCliIo): Promise<void> {
  const { positionals } = parseOptions(args, []);
  if (positionals.length !== 1) throw usage(`open: expected one export file, got ${positionals.length}`);
  const file = positionals[0]!;
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    throw new CliProblem(PATIENT_KEYS_EXIT.noInput, `${file}: cannot read the file (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  let store;
  try {
    store = parseSealedStoreExport(JSON.parse(text));
  } catch (error) {
    throw new CliProblem(PATIENT_KEYS_EXIT.data, `${file}: ${error instanceof SyntaxError ? 'expected a sealed store export as JSON, got text that does not parse' : (error as Error).message}`);
  }
  const records = await withKeys(io, (keys) => {
    try {
      return openSealedStore(keys, store);
    } catch (error) {
      // The library's messages name keys and records, never their content.
      if (error instanceof SealError || error instanceof TypeError) throw new CliProblem(PATIENT_KEYS_EXIT.data, `${file}: ${error.message}`);
      throw error;
    }
  });
  for (const record of records) io.out(JSON.stringify(record));
}

function fresh(args: readonly string[], io: PatientKeysCliIo): void {
  noPositionals('new', parseOptions(args, []).positionals);
  io.err(NEW_MNEMONIC_WARNING);
  io.out(newMnemonic());
}

/**
 * `npm run patient-keys`: the patient's key library on the command line (derive, claim, open, new), for support
 * staff and patients without the portal. Errors are one line and an exit code; never a stack trace, a secret key
 * or record content.
 * @returns The exit code: {@link PATIENT_KEYS_EXIT}.
 */
export async function runPatientKeysCli(argv: readonly string[], io: PatientKeysCliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'derive':
        await derive(args, io);
        break;
      case 'claim':
        await claim(args, io);
        break;
      case 'open':
        await open(args, io);
        break;
      case 'new':
        fresh(args, io);
        break;
      case 'help':
      case '--help':
      case '-h':
        io.out(PATIENT_KEYS_USAGE);
        break;
      default:
        throw usage(command === undefined ? 'expected a command, got none' : `unknown command ${JSON.stringify(command)}`);
    }
    return PATIENT_KEYS_EXIT.ok;
  } catch (error) {
    if (!(error instanceof CliProblem)) throw error;
    io.err(error.message);
    return error.code;
  }
}
