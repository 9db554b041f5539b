import type { Principal } from '../../auth/index.js';

/** The caller the transport's tests act as (a hospital system; `Authorization: Bearer hospital` in HTTP tests). */
export const HOSPITAL: Principal = {
  subject: 'svc-1',
  username: 'service-account-demo-hospital',
  roles: ['hospital-system'],
  clientId: 'demo-hospital',
  issuer: 'https://sso.example.org/auth/realms/fhir-gateway',
  tokenId: 'jti-1',
  expiresAt: new Date(2_000_000_000_000),
};
