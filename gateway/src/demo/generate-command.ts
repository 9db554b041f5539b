import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generateSyntheticPatients, type SyntheticPatient } from './synthetic-patients.js';

/** Where the command writes its report and its errors. */
export interface GenerateCommandIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `usage: node gateway/dist/demo/generate.cli.js <output-directory> [--reference-date YYYY-MM-DD]
  writes one FHIR R4 transaction Bundle per synthetic patient to <output-directory>/<patient id>.json
  --reference-date  the day the records end (default 2026-06-30); all dates move with it`;

interface Args {
  readonly help: boolean;
  readonly directory?: string;
  readonly referenceDate?: string;
  readonly problems: readonly string[];
}

function parseArgs(argv: readonly string[]): Args {
  const positional: string[] = [];
  const problems: string[] = [];
  let referenceDate: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--reference-date') {
      referenceDate = argv[++i];
      if (referenceDate === undefined) problems.push('--reference-date: expected a date as YYYY-MM-DD, got nothing');
    } else if (arg.startsWith('--reference-date=')) referenceDate = arg.slice('--reference-date='.length);
    else if (arg.startsWith('-')) problems.push(`expected an output directory or --reference-date, got unknown option ${arg}`);
    else positional.push(arg);
  }
  if (!help && positional.length !== 1) problems.push(`expected exactly one output directory, got ${positional.length}`);
  return { help, problems, ...(positional[0] !== undefined ? { directory: positional[0] } : {}), ...(referenceDate !== undefined ? { referenceDate } : {}) };
}

/**
 * Writes the synthetic patients as pretty-printed FHIR R4 transaction Bundles, one file per patient, for loading
 * into another FHIR server (`POST` each file to the server base). Existing files of the same name are replaced.
 * @returns The process exit code: 0 written, 1 the files could not be written, 2 usage error.
 */
export async function runGenerateCommand(argv: readonly string[], io: GenerateCommandIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  if (args.problems.length > 0 || args.directory === undefined) {
    for (const problem of args.problems) io.err(problem);
    io.err(USAGE);
    return 2;
  }
  let patients: SyntheticPatient[];
  try {
    patients = generateSyntheticPatients(args.referenceDate !== undefined ? { referenceDate: args.referenceDate } : {});
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    io.err(`--reference-date: ${error.message}`);
    io.err(USAGE);
    return 2;
  }
  const directory = resolve(args.directory);
  try {
    await mkdir(directory, { recursive: true });
    for (const patient of patients) {
      await writeFile(join(directory, `${patient.id}.json`), `${JSON.stringify(patient.bundle, null, 2)}\n`, 'utf8');
      io.out(`${patient.id}.json: ${patient.bundle.entry.length} entries (${patient.label})`);
    }
  } catch (error) {
    io.err(`could not write the bundles to ${directory}: ${(error as Error).message}`);
    return 1;
  }
  io.out(`wrote ${patients.length} synthetic patient bundles to ${directory}; all data is fictional`);
  return 0;
}
