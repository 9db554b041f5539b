import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { locateWebApps, WebAppsNotBuiltError } from './web-apps.js';
import { webAppsPlugin } from './web-apps.plugin.js';

const appConfig = {
  issuer: 'https://id.example.org/realms/fhir-gateway',
  clients: { portal: 'patient-portal', clinician: 'clinician-app' },
  graphqlUrl: '/graphql',
};

function buildFakeApp(root: string, name: string, title: string): void {
  mkdirSync(join(root, name, 'dist', 'assets'), { recursive: true });
  writeFileSync(join(root, name, 'dist', 'index.html'), `<!doctype html><title>${title}</title>`);
  writeFileSync(join(root, name, 'dist', 'assets', 'index-Ab12Cd.js'), 'console.log(1)');
  writeFileSync(join(root, name, 'dist', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

describe('webAppsPlugin', () => {
  let root: string;
  let fastify: FastifyInstance;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'web-apps-'));
    buildFakeApp(root, 'patient-portal', 'Patient portal');
    buildFakeApp(root, 'clinician-app', 'Clinician workspace');
    fastify = Fastify();
    fastify.get('/graphql', async () => ({ other: 'route' }));
    await fastify.register(webAppsPlugin, { apps: locateWebApps(root), appConfig });
    await fastify.ready();
  });

  afterAll(async () => {
    await fastify.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves each app index at its prefix with no-cache and the security headers', async () => {
    for (const [url, title] of [['/portal/', 'Patient portal'], ['/clinician/', 'Clinician workspace']] as const) {
      const res = await fastify.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain(`<title>${title}</title>`);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' https://id.example.org; " +
          "form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('serves hashed assets with a one-year immutable cache and other files with no-cache', async () => {
    const asset = await fastify.inject({ url: '/portal/assets/index-Ab12Cd.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const icon = await fastify.inject({ url: '/clinician/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers client-side routes such as /portal/callback with the app index', async () => {
    for (const [url, title] of [['/portal/callback?code=x&state=y', 'Patient portal'], ['/clinician/patients/123', 'Clinician workspace']] as const) {
      const res = await fastify.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(title);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('answers 404 with an OperationOutcome for a missing file and for other methods', async () => {
    const missing = await fastify.inject({ url: '/portal/assets/gone-123.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(missing.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: 'no route for GET /portal/assets/gone-123.js' }],
    });
    const post = await fastify.inject({ method: 'POST', url: '/portal/callback' });
    expect(post.statusCode).toBe(404);
  });

  it('refuses paths that climb out of the dist folder', async () => {
    const res = await fastify.inject({ url: '/portal/../../package.json' });
    expect(res.body).not.toContain('"name"');
    const encoded = await fastify.inject({ url: '/portal/%2e%2e/%2e%2e/clinician-app/dist/index.html' });
    expect(encoded.body).not.toContain('Clinician workspace');
  });

  it('redirects / to the portal and a prefix without its slash to the prefix', async () => {
    const home = await fastify.inject({ url: '/' });
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe('/portal/');
    const bare = await fastify.inject({ url: '/clinician' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/clinician/');
  });

  it('serves the public app configuration', async () => {
    const res = await fastify.inject({ url: '/app-config.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(appConfig);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('leaves the headers of routes outside the web apps alone', async () => {
    const res = await fastify.inject({ url: '/graphql' });
    expect(res.json()).toEqual({ other: 'route' });
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});

describe('locateWebApps', () => {
  it('names every missing build and says how to build it', () => {
    const root = mkdtempSync(join(tmpdir(), 'web-apps-'));
    try {
      buildFakeApp(root, 'clinician-app', 'Clinician workspace');
      expect(() => locateWebApps(root)).toThrow(WebAppsNotBuiltError);
      expect(() => locateWebApps(root)).toThrow(
        `web apps are not built: expected ${join(root, 'patient-portal', 'dist', 'index.html')}; run \`npm run build:web\` first`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
