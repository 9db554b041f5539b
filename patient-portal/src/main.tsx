import { mountApp } from '@web';
import { PortalHome } from './portal-home.js';

mountApp({
  client: 'portal',
  productName: 'Patient portal',
  tagline: 'Your records, your consent',
  accent: { color: '#0f766e', soft: '#99f6e4' },
  welcome: {
    title: 'Sign in to the patient portal',
    lead: 'Read your health records, decrypted in your browser with your recovery phrase. Choosing who may see them comes in a later version.',
  },
  Home: PortalHome,
});
