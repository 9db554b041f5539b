/** Browser code shared by the patient portal and the clinician app (bundled by Vite through the `@web` alias). */
export { type Me } from './session-context.js';
export { mountApp } from './mount-app.js';
export { Card } from './ui/card.js';
export { Notice } from './ui/notice.js';
export { roleLabel } from './ui/role-badges.js';
