import { webAppViteConfig } from '../gateway/src/web/vite-web-app.js';

/** Build: `vite build patient-portal` → patient-portal/dist, served by the gateway at /portal/. */
export default webAppViteConfig({
  name: 'patient-portal',
  title: 'Patient portal',
  description: 'Patient portal of the consent-gated FHIR gateway.',
  noscript: 'The patient portal needs JavaScript to sign you in.',
});
