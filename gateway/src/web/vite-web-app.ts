import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Plugin, UserConfig } from 'vite';
import { WEB_APP_PREFIXES } from './web-apps.js';

/** What differs between the apps' HTML pages. Plain text: no markup, quotes or ampersands. */
export interface WebAppPage {
  /** The page title, also the product name in the banner. */
  readonly title: string;
  /** `<meta name="description">`. */
  readonly description: string;
  /** Shown by browsers without JavaScript. */
  readonly noscript: string;
}

export interface WebAppBuild extends WebAppPage {
  /** The app's folder at the repository root, a key of {@link WEB_APP_PREFIXES} (its URL prefix is the Vite base). */
  readonly name: string;
}

/** The shared browser code, imported by the apps as `@web`. */
const SHARED_BROWSER_CODE = fileURLToPath(new URL('./browser', import.meta.url));

function plainText(what: string, value: string): string {
  if (/[<>&"]/.test(value)) throw new Error(`expected plain text for the page ${what}, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The one HTML page of every app, around the app's own `index.html` (which holds only its entry script):
 * `mountApp()` from `@web` renders into `#root`.
 */
export function webAppPage(page: WebAppPage, entry: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="description" content="${plainText('description', page.description)}" />
    <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
    <title>${plainText('title', page.title)}</title>
  </head>
  <body>
    <div id="root"></div>
    <noscript>${plainText('noscript text', page.noscript)}</noscript>
    ${entry.replace(/<!--[\s\S]*?-->/g, '').trim()}
  </body>
</html>
`;
}

/** Replaces the app's minimal `index.html` by {@link webAppPage} before Vite bundles the scripts it names. */
function webAppPagePlugin(page: WebAppPage): Plugin {
  return { name: 'web-app-page', transformIndexHtml: { order: 'pre', handler: (entry) => webAppPage(page, entry) } };
}

/**
 * The Vite configuration of one app (`vite build <name>` → `<name>/dist`, served by the gateway under the app's
 * prefix): React, the `@web` alias and the shared HTML page.
 */
export function webAppViteConfig(app: WebAppBuild): UserConfig {
  const base = WEB_APP_PREFIXES[app.name];
  if (!base) throw new Error(`expected an app the gateway serves (${Object.keys(WEB_APP_PREFIXES).join(', ')}), got ${app.name}`);
  return {
    base,
    plugins: [react(), webAppPagePlugin(app)],
    resolve: { alias: { '@web': SHARED_BROWSER_CODE } },
    build: { outDir: 'dist', emptyOutDir: true },
  };
}
