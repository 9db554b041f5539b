import { mountApp } from '@web';
import { WorkspaceHome } from './workspace-home.js';

mountApp({
  client: 'clinician',
  productName: 'Clinician workspace',
  tagline: 'Consented records, explained results',
  accent: { color: '#3538cd', soft: '#c7d7fe' },
  welcome: {
    title: 'Sign in to the clinician workspace',
    lead: 'For clinicians, auditors and model stewards. See your access as the gateway checks it, open the records of patients who consented to you, and, as an auditor, read the audit log and check its proofs against the chain.',
  },
  Home: WorkspaceHome,
});
