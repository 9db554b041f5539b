/**
 * Writes the synthetic demo patients as FHIR R4 transaction Bundles (pretty JSON, one file per patient):
 * `node gateway/dist/demo/generate.cli.js <output-directory> [--reference-date YYYY-MM-DD]`; see runGenerateCommand.
 * Exits 0 when written, 1 when the files could not be written, 2 on a usage error.
 */
import { runGenerateCommand } from './generate-command.js';

try {
  process.exitCode = await runGenerateCommand(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
} catch (error) {
  console.error(`demo generate failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
