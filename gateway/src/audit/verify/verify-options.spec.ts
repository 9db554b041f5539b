import { parseVerifyOptions, UsageError } from './verify-options.js';

const refusal = (argv: string[]) => {
  try {
    parseVerifyOptions(argv, {}, '/repo');
  } catch (error) {
    return error instanceof UsageError ? error.message : `not a usage error: ${String(error)}`;
  }
  return 'accepted';
};

describe('parseVerifyOptions', () => {
  it('defaults to the embedded mode’s files under var/ and the local gateway', () => {
    expect(parseVerifyOptions([], {}, '/repo')).toEqual({ gateway: 'http://127.0.0.1:8080', deployment: '/repo/var/chain/deployment.json', models: '/repo/models', json: false, clockSkewMs: 2000, dataDir: '/repo/var' });
  });

  it('takes DATA_DIR, CHAIN_DEPLOYMENT_FILE, CHAIN_RPC_URL and AUDIT_TOKEN from the environment, options over them', () => {
    const env = { DATA_DIR: 'data', CHAIN_RPC_URL: 'http://chain:8545', AUDIT_TOKEN: 'env-token', CHAIN_DEPLOYMENT_FILE: 'd.json' };
    expect(parseVerifyOptions([], env, '/repo')).toMatchObject({ dataDir: '/repo/data', rpc: 'http://chain:8545', token: 'env-token', deployment: '/repo/d.json' });
    expect(parseVerifyOptions(['--token', 'given', '--rpc=http://other:8545', '--json', '--clock-skew-ms', '0', '--database', 'postgres://db/audit'], env, '/repo')).toMatchObject({ rpc: 'http://other:8545', token: 'given', json: true, clockSkewMs: 0, database: 'postgres://db/audit' });
  });

  it('refuses unknown options, missing values and malformed ones, naming the option', () => {
    expect(refusal(['--gatway', 'x'])).toBe('unknown option --gatway');
    expect(refusal(['--token'])).toBe('--token: expected a value, got none');
    expect(refusal(['--models', '--json'])).toBe('--models: expected a value, got none');
    expect(refusal(['verify'])).toBe('expected an option such as --gateway, got "verify"');
    expect(refusal(['--clock-skew-ms', '-5'])).toBe('--clock-skew-ms: expected a whole number of milliseconds, got "-5"');
    expect(refusal(['--gateway', 'ftp://x'])).toBe('--gateway: expected an http(s) URL, got "ftp://x"');
    expect(refusal(['--rpc', 'nonsense'])).toBe('--rpc: expected an http(s) or ws(s) URL, got a value that is not one');
    expect(refusal(['--json=yes'])).toBe('--json: expected no value');
  });
});
