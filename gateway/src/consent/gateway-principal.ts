import type { Principal } from '../auth/index.js';

/**
 * The gateway itself as the author of what it writes into a patient's store on the patient's behalf (the sealed
 * copy of each consent). Never derived from a token and never able to read: the store seals its writes to the
 * patient's keys, and custody of a claimed store gives no read access.
 */
export const GATEWAY_PRINCIPAL: Principal = Object.freeze({
  subject: 'fhir-gateway',
  username: 'fhir-gateway',
  roles: Object.freeze(['hospital-system']) as readonly string[],
  clientId: 'fhir-gateway',
  issuer: 'urn:fhir-gateway',
  tokenId: 'internal',
  expiresAt: new Date(8.64e15),
});
