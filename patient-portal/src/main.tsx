import { mountApp } from '@web';
import { PortalHome } from './portal-home.js';

mountApp({
  client: 'portal',
  productName: 'Patient portal',
  tagline: 'Your records, your consent',
  accent: { color: '#0f766e', soft: '#99f6e4' },
  welcome: {
    title: 'Sign in to the patient portal',
    lead: 'See which patient record your account is linked to. Reading your records and choosing who may see them come in a later version.',
  },
  Home: PortalHome,
});
