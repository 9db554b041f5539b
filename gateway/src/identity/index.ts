export type { DemoAccounts } from './demo-accounts.js';
export { DEMO_ACCOUNTS_FILE } from './demo-accounts.file.js';
export { type DemoPrincipals, demoPrincipals } from './demo-principals.js';
export { IdentityModule } from './identity.module.js';
export { ExternalKeycloakIdentityService, IdentityService } from './identity.service.js';
export { loadRealm, REALM_FILE } from './realm.loader.js';
