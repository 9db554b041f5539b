import { join } from 'node:path';
import { findRepoRoot } from '../common/index.js';
import { webAppPage, webAppViteConfig } from './vite-web-app.js';

const page = { title: 'Patient portal', description: 'Patient portal of the gateway.', noscript: 'The portal needs JavaScript.' };

describe('webAppPage', () => {
  it('puts the title, description, root element and noscript text around the entry script, without its comments', () => {
    const html = webAppPage(page, '<!-- the entry -->\n<script type="module" src="/src/main.tsx"></script>\n');
    expect(html).toContain('<title>Patient portal</title>');
    expect(html).toContain('<meta name="description" content="Patient portal of the gateway." />');
    expect(html).toContain('<div id="root"></div>\n    <noscript>The portal needs JavaScript.</noscript>\n    <script type="module" src="/src/main.tsx"></script>\n  </body>');
    expect(html).not.toContain('<!--');
  });

  it('refuses markup in the texts rather than escaping it', () => {
    expect(() => webAppPage({ ...page, title: 'A <b>bold</b> app' }, '')).toThrow('expected plain text for the page title, got "A <b>bold</b> app"');
  });
});

describe('webAppViteConfig', () => {
  it('builds under the prefix the gateway serves the app at, with @web pointing at the shared browser code', () => {
    const config = webAppViteConfig({ name: 'clinician-app', ...page });
    expect(config.base).toBe('/clinician/');
    expect(config.resolve?.alias).toEqual({ '@web': join(findRepoRoot(import.meta.url), 'gateway/src/web/browser') });
    expect(config.build).toMatchObject({ outDir: 'dist' });
  });

  it('names the apps it knows when given another', () => {
    expect(() => webAppViteConfig({ name: 'admin-app', ...page })).toThrow('expected an app the gateway serves (patient-portal, clinician-app), got admin-app');
  });
});
