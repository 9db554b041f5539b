/** The database the gateway opens: the embedded SQLite file, or a PostgreSQL server shared by several gateways. */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | {
      readonly kind: 'postgres';
      /** A libpq-style connection URI (PostgreSQL docs §34.1.1.2); may carry a password: log it only through {@link redactUrl}. */
      readonly url: string;
      /** Most connections this gateway holds open at once (DATABASE_POOL_SIZE). */
      readonly poolSize: number;
    };

/** What DATABASE_URL accepts, as every refusal names it. */
export const DATABASE_URL_FORMS = 'sqlite:<path>, postgres://… or postgresql://…';

/** Query parameters of a libpq URI that hold secrets (PostgreSQL docs §34.1.2). */
const SECRET_PARAMS = ['password', 'sslpassword'];

/**
 * The URL with its password (in the userinfo part or a `password` / `sslpassword` parameter) replaced by `***`,
 * safe to print in a message or a log. An unparseable URL keeps only its scheme.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url.split(':')[0]}:…`;
  }
  if (parsed.password) parsed.password = '***';
  for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, '***');
  return parsed.href;
}

/**
 * Reads DATABASE_URL: `sqlite:<path>` (relative to the working directory) or a PostgreSQL URI.
 * @returns the database, or the problem to report (never echoing a password).
 */
export function parseDatabaseUrl(value: string, poolSize: number, absolute: (path: string) => string): { database: DatabaseConfig } | { problem: string } {
  if (value.startsWith('sqlite:')) return { database: { kind: 'sqlite', file: absolute(value.slice('sqlite:'.length).replace(/^\/\//, '')) } };
  if (/^postgres(ql)?:/.test(value)) {
    if (!URL.canParse(value) || !value.includes('://')) {
      return { problem: 'DATABASE_URL: expected postgres://[user[:password]@]host[:port]/database, got a postgres URL that does not parse' };
    }
    return { database: { kind: 'postgres', url: value, poolSize } };
  }
  return { problem: `DATABASE_URL: expected ${DATABASE_URL_FORMS}, got ${JSON.stringify(`${value.split(':')[0]}:…`)}` };
}
