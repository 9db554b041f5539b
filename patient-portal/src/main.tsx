import { mountApp } from '@web';
import { PortalHome } from './portal-home.js';

mountApp({
  client: 'portal',
  productName: 'Patient portal',
  tagline: 'Your records, your consent',
  accent: { color: '#0f766e', soft: '#99f6e4' },
  welcome: {
    title: 'Sign in to the patient portal',
    lead: 'Read your health records, decrypted in your browser with your recovery phrase, choose who may see them with consents you sign yourself, and see who accessed them.',
  },
  Home: PortalHome,
});
