/**
 * Entry point of `npm run audit:verify` (`node gateway/dist/audit/verify/verify.cli.js`); see runVerifyCommand.
 * Exits 0 on pass, 1 on discrepancies, 2 on a usage or connection error.
 */
import { runVerifyCommand } from './verify-command.js';

try {
  process.exitCode = await runVerifyCommand(process.argv.slice(2), process.env, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
} catch (error) {
  console.error(`audit:verify failed: ${(error as Error).message}`);
  process.exitCode = 2;
}
