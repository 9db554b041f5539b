import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGenerateCommand } from './generate-command.js';
import { generateSyntheticPatients } from './synthetic-patients.js';

describe('demo generate command', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'demo-generate-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runGenerateCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  it('writes one pretty-printed transaction Bundle per patient, equal to the generator output', async () => {
    const target = join(dir, 'bundles', 'nested');
    const result = await run([target]);
    const patients = generateSyntheticPatients();
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    expect(result.out).toEqual([
      ...patients.map((p) => `${p.id}.json: ${p.bundle.entry.length} entries (${p.label})`),
      `wrote 5 synthetic patient bundles to ${target}; all data is fictional`,
    ]);
    expect((await readdir(target)).sort()).toEqual(['pat-alice.json', 'pat-bob.json', 'pat-greta.json', 'pat-rosa.json', 'pat-tomas.json']);
    const alice = await readFile(join(target, 'pat-alice.json'), 'utf8');
    expect(alice).toBe(`${JSON.stringify(patients[0]?.bundle, null, 2)}\n`);
  });

  it('honours --reference-date in both spellings', async () => {
    const spaced = join(dir, 'spaced');
    const joined = join(dir, 'joined');
    expect((await run([spaced, '--reference-date', '2027-01-15'])).code).toBe(0);
    expect((await run([`--reference-date=2027-01-15`, joined])).code).toBe(0);
    const expected = `${JSON.stringify(generateSyntheticPatients({ referenceDate: '2027-01-15' })[1]?.bundle, null, 2)}\n`;
    expect(await readFile(join(spaced, 'pat-bob.json'), 'utf8')).toBe(expected);
    expect(await readFile(join(joined, 'pat-bob.json'), 'utf8')).toBe(expected);
  });

  it('answers exit code 2 with the problem and the usage when the directory is missing or doubled', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err[0]).toBe('expected exactly one output directory, got 0');
    expect(none.err[1]).toMatch(/^usage: node gateway\/dist\/demo\/generate\.cli\.js <output-directory>/);
    expect((await run(['a', 'b'])).err[0]).toBe('expected exactly one output directory, got 2');
    expect((await run([dir, '--force'])).err[0]).toBe('expected an output directory or --reference-date, got unknown option --force');
  });

  it('answers exit code 2 for a reference date that is not YYYY-MM-DD, writing nothing', async () => {
    const target = join(dir, 'bad-date');
    const result = await run([target, '--reference-date', '2026-13-01']);
    expect(result.code).toBe(2);
    expect(result.err[0]).toBe('--reference-date: expected a calendar date as YYYY-MM-DD, got "2026-13-01"');
    await expect(readdir(target)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await run([target, '--reference-date'])).err[0]).toBe('--reference-date: expected a date as YYYY-MM-DD, got nothing');
  });

  it('answers exit code 1 when the output directory cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'not a directory');
    const result = await run([join(blocker, 'bundles')]);
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(new RegExp(`^could not write the bundles to ${join(blocker, 'bundles')}: ENOTDIR`));
  });

  it('prints the usage and exits 0 for --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^usage: /);
  });
});
