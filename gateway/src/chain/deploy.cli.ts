/**
 * Entry point of `npm run contracts:deploy` (`node gateway/dist/chain/deploy.cli.js`); see runDeployCommand.
 * Exits 0 when the deployment file is written, 1 when refused or failed, 2 on a usage error.
 */
import { runDeployCommand } from './deploy-command.js';

try {
  process.exitCode = await runDeployCommand(process.argv.slice(2), process.env, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
} catch (error) {
  console.error(`contracts:deploy failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
