import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { findRepoRoot } from '../../gateway/src/common/index.js';

const root = findRepoRoot(import.meta.url);

/** Debian's Chromium (`apt-get install chromium`); Playwright's own browser downloads are not reachable here. */
const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One Chromium with one fresh context (its own cookies and storage); `close()` ends both. */
export interface BrowserHandle {
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** Opens a page and records its console errors and uncaught exceptions (CSP violations show up there). */
  newPage(): Promise<Page>;
  /** Console errors and page errors seen so far, as text. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless; Playwright gives every launch a temporary profile of its own. */
export async function launchBrowser(): Promise<BrowserHandle> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const errors: string[] = [];
    return {
      browser,
      context,
      errors,
      async newPage() {
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(`console: ${message.text()}`);
        });
        page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
        return page;
      },
      async close() {
        await context.close().catch(() => undefined);
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

const WEB_APPS = ['patient-portal', 'clinician-app'] as const;
/** What every app's build also depends on: the `@web` browser code and the shared Vite configuration and page. */
const SHARED_SOURCES = ['gateway/src/web/browser', 'gateway/src/web/vite-web-app.ts', 'gateway/src/web/web-apps.ts'].map((path) => join(root, path));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path)
    .filter((name) => name !== 'dist' && name !== 'node_modules')
    .reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), 0);
}

function builtAt(app: string): number {
  try {
    return statSync(join(root, app, 'dist', 'index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds an app with Vite when its dist is missing or older than its sources or the shared sources, so the
 * browser tests always run the current code (a build takes about a second).
 */
export async function ensureWebAppsBuilt(): Promise<void> {
  const shared = Math.max(...SHARED_SOURCES.map(newestMtime));
  for (const app of WEB_APPS) {
    if (builtAt(app) > Math.max(shared, newestMtime(join(root, app)))) continue;
    await promisify(execFile)(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', app, '--logLevel', 'warn'], { cwd: root });
  }
}
