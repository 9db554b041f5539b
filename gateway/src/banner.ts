import type { AppConfig } from './config/index.js';
import type { DemoAccounts } from './identity/index.js';

/** The text `npm start` prints once the gateway is ready: where everything is, and who can sign in. */
export function startupBanner(config: AppConfig, demo: DemoAccounts | undefined, startupMs: number): string {
  const base = config.http.publicUrl;
  const issuer = `${config.identity.authServerUrl}/realms/${config.identity.realm}`;
  const lines = [
    '',
    `FHIR gateway ready in ${(startupMs / 1000).toFixed(1)} s (${config.env}; identity ${config.identity.mode}, chain ${config.chain.mode}, store ${config.database.kind})`,
    `  patient portal     ${base}/portal/`,
    `  clinician app      ${base}/clinician/`,
    `  GraphQL            ${base}/graphql`,
    `  FHIR R4 API        ${base}/fhir  (metadata public; records need a hospital-system token)`,
    `  patient store      ${base}/api/patient-store  (role patient: status, claim, sealed export)`,
    `  who am I           ${base}/api/whoami  (any valid token)`,
    `  regulator API      ${base}/audit/entries  (role auditor; also /audit/anchors, /audit/proofs/…, /fhir/AuditEvent)`,
    `  identity provider  ${issuer}/.well-known/openid-configuration`,
    `  health             ${base}/health  ${base}/health/ready`,
    `  metrics            ${base}/metrics`,
  ];
  if (demo) {
    lines.push('', `Demo accounts (embedded mode only; also in ${config.dataDir}/demo-accounts.json):`);
    const width = Math.max(...demo.users.map((u) => u.username.length));
    for (const user of demo.users) {
      const patient = user.fhirPatient ? `  Patient/${user.fhirPatient}` : '';
      lines.push(`  ${user.username.padEnd(width)}  ${user.password.padEnd(22)} ${user.roles.join(', ')}${patient}`);
    }
    for (const client of demo.clients) {
      lines.push(`  client ${client.clientId}  secret ${client.secret}  (client_credentials; ${client.roles.join(', ')})`);
    }
    if (demo.passwordGrantClientId) {
      lines.push(`  password grant: POST ${demo.tokenEndpoint} with client_id=${demo.passwordGrantClientId}`);
    }
  }
  lines.push('', 'Press Ctrl-C to stop (the embedded chain stops with it).', '');
  return lines.join('\n');
}
