import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A built single-page app and the URL prefix it is served under. */
export interface WebApp {
  /** The app's folder at the repository root (also its OIDC client id). */
  readonly name: string;
  /** URL prefix, with leading and trailing slash; equals the app's Vite `base`. */
  readonly prefix: string;
  /** Absolute path of the app's Vite build output. */
  readonly distDir: string;
}

/** The apps the gateway serves (design.md §3: the portal at /portal/, the clinician app at /clinician/). */
export const WEB_APP_PREFIXES: Readonly<Record<string, string>> = {
  'patient-portal': '/portal/',
  'clinician-app': '/clinician/',
};

/** Thrown at boot when an app has not been built; the message says how to build it. */
export class WebAppsNotBuiltError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`web apps are not built: expected ${missing.join(' and ')}; run \`npm run build:web\` first`);
    this.name = 'WebAppsNotBuiltError';
  }
}

/**
 * Finds each app's build output under the repository root.
 * @throws WebAppsNotBuiltError naming every missing `dist/index.html`.
 */
export function locateWebApps(repoRoot: string): WebApp[] {
  const apps = Object.entries(WEB_APP_PREFIXES).map(([name, prefix]) => ({ name, prefix, distDir: join(repoRoot, name, 'dist') }));
  const missing = apps.map((app) => join(app.distDir, 'index.html')).filter((index) => !existsSync(index));
  if (missing.length > 0) throw new WebAppsNotBuiltError(missing);
  return apps;
}
