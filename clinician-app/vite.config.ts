import { webAppViteConfig } from '../gateway/src/web/vite-web-app.js';

/** Build: `vite build clinician-app` → clinician-app/dist, served by the gateway at /clinician/. */
export default webAppViteConfig({
  name: 'clinician-app',
  title: 'Clinician workspace',
  description: 'Clinician workspace of the consent-gated FHIR gateway.',
  noscript: 'The clinician workspace needs JavaScript to sign you in.',
});
