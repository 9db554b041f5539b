import { z } from 'zod';

/**
 * The subset of Keycloak's `RealmRepresentation` (the realm export/import JSON format) that the embedded identity
 * provider reads. Unknown members are ignored, so a full Keycloak export loads too. Field names, and the odd
 * encodings (client attributes as strings, user attributes as string arrays, credentials as JSON strings), are
 * Keycloak's own.
 */

const stringMap = z.record(z.string(), z.string());

export const protocolMapperSchema = z.object({
  name: z.string(),
  protocol: z.string().default('openid-connect'),
  protocolMapper: z.string(),
  config: stringMap.default({}),
});

export const clientScopeSchema = z.object({
  name: z.string().min(1),
  protocol: z.string().default('openid-connect'),
  attributes: stringMap.default({}),
  protocolMappers: z.array(protocolMapperSchema).default([]),
});

export const credentialSchema = z.object({
  type: z.string(),
  secretData: z.string().optional(),
  credentialData: z.string().optional(),
});

export const userSchema = z.object({
  id: z.string().min(1),
  username: z.string().min(1),
  enabled: z.boolean().default(true),
  email: z.string().optional(),
  emailVerified: z.boolean().default(false),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  attributes: z.record(z.string(), z.array(z.string())).default({}),
  credentials: z.array(credentialSchema).default([]),
  realmRoles: z.array(z.string()).default([]),
  serviceAccountClientId: z.string().optional(),
  requiredActions: z.array(z.string()).default([]),
});

export const clientSchema = z.object({
  clientId: z.string().min(1),
  name: z.string().optional(),
  enabled: z.boolean().default(true),
  rootUrl: z.string().optional(),
  baseUrl: z.string().optional(),
  redirectUris: z.array(z.string()).default([]),
  webOrigins: z.array(z.string()).default([]),
  bearerOnly: z.boolean().default(false),
  consentRequired: z.boolean().default(false),
  standardFlowEnabled: z.boolean().default(true),
  implicitFlowEnabled: z.boolean().default(false),
  directAccessGrantsEnabled: z.boolean().default(false),
  serviceAccountsEnabled: z.boolean().default(false),
  publicClient: z.boolean().default(false),
  secret: z.string().optional(),
  protocol: z.string().default('openid-connect'),
  attributes: stringMap.default({}),
  protocolMappers: z.array(protocolMapperSchema).default([]),
  defaultClientScopes: z.array(z.string()).optional(),
  optionalClientScopes: z.array(z.string()).optional(),
});

export const roleSchema = z.object({
  name: z.string().min(1),
  composite: z.boolean().default(false),
  composites: z.object({ realm: z.array(z.string()).default([]) }).partial().optional(),
});

export const realmSchema = z.object({
  realm: z.string().min(1),
  displayName: z.string().optional(),
  enabled: z.boolean().default(true),
  // Keycloak's defaults (seconds) when the export leaves them out.
  accessTokenLifespan: z.number().int().positive().default(300),
  accessCodeLifespan: z.number().int().positive().default(60),
  accessCodeLifespanLogin: z.number().int().positive().default(1800),
  ssoSessionIdleTimeout: z.number().int().positive().default(1800),
  ssoSessionMaxLifespan: z.number().int().positive().default(36000),
  loginWithEmailAllowed: z.boolean().default(true),
  // Brute-force detection, with Keycloak's defaults (detection itself is off unless the realm turns it on).
  bruteForceProtected: z.boolean().default(false),
  failureFactor: z.number().int().positive().default(30),
  waitIncrementSeconds: z.number().int().nonnegative().default(60),
  maxFailureWaitSeconds: z.number().int().nonnegative().default(900),
  maxDeltaTimeSeconds: z.number().int().positive().default(43200),
  roles: z.object({ realm: z.array(roleSchema).default([]) }).partial().default({}),
  users: z.array(userSchema).default([]),
  clients: z.array(clientSchema).default([]),
  clientScopes: z.array(clientScopeSchema).default([]),
  defaultDefaultClientScopes: z.array(z.string()).default([]),
  defaultOptionalClientScopes: z.array(z.string()).default([]),
});

export type ProtocolMapperRepresentation = z.infer<typeof protocolMapperSchema>;
export type ClientScopeRepresentation = z.infer<typeof clientScopeSchema>;
export type UserRepresentation = z.infer<typeof userSchema>;
export type ClientRepresentation = z.infer<typeof clientSchema>;
export type RealmRepresentation = z.infer<typeof realmSchema>;

/** Whether a user or client is marked as a demo account (`demo` attribute "true"; users hold string arrays). */
export function isDemo(entity: { attributes: Readonly<Record<string, string | readonly string[]>> }): boolean {
  const value = entity.attributes['demo'];
  return Array.isArray(value) ? value.includes('true') : value === 'true';
}
