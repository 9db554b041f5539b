import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
// Not the identity barrel: it loads the embedded OpenID provider, which a command-line reader has no use for.
import type { DemoAccounts } from '../../identity/demo-accounts.js';
import { DEMO_ACCOUNTS_FILE } from '../../identity/demo-accounts.file.js';
import { SourceError } from './log-readers.js';

/**
 * The embedded anvil's JSON-RPC URL, from the pid file the gateway writes beside its chain state
 * (`<dataDir>/chain/anvil.pid`, `{ pid, port, … }`): the node listens on 127.0.0.1 at a port picked at start.
 */
export async function embeddedRpcUrl(dataDir: string): Promise<string> {
  const file = join(dataDir, 'chain', 'anvil.pid');
  let record: { port?: unknown };
  try {
    record = JSON.parse(await readFile(file, 'utf8')) as { port?: unknown };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'found no file' : `got ${(error as Error).message}`;
    throw new SourceError(`--rpc: not given, and no running embedded chain to default to (expected ${file}, ${reason}); start the gateway (npm start) or pass --rpc`);
  }
  if (!Number.isInteger(record.port)) throw new SourceError(`--rpc: not given, and ${file} names no port`);
  return `http://127.0.0.1:${String(record.port)}`;
}

/**
 * An auditor's access token for the embedded mode: the demo auditor of `<dataDir>/demo-accounts.json` logs in with
 * the password grant of the embedded identity provider (its public CLI client). Production passes --token.
 */
export async function embeddedAuditorToken(dataDir: string): Promise<string> {
  const file = join(dataDir, DEMO_ACCOUNTS_FILE);
  let accounts: DemoAccounts;
  try {
    accounts = JSON.parse(await readFile(file, 'utf8')) as DemoAccounts;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'found no file' : `got ${(error as Error).message}`;
    throw new SourceError(`--token: not given (nor AUDIT_TOKEN), and no embedded demo accounts to log in with (expected ${file}, ${reason}); pass --token`);
  }
  const auditor = accounts.users?.find((u) => u.roles.includes('auditor'));
  if (!auditor || !accounts.passwordGrantClientId) throw new SourceError(`--token: not given, and ${file} lists no auditor with a password grant client; pass --token`);
  let response: Response;
  try {
    response = await fetch(accounts.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: accounts.passwordGrantClientId, username: auditor.username, password: auditor.password, scope: 'openid' }),
    });
  } catch (error) {
    throw new SourceError(`expected the token endpoint ${accounts.tokenEndpoint} to answer, got ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (response.status !== 200 || !body.access_token) throw new SourceError(`expected a token for the demo auditor ${auditor.username} from ${accounts.tokenEndpoint}, got ${response.status} ${body.error ?? ''}`.trim());
  return body.access_token;
}
