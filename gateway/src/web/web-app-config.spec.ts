import { loadConfig } from '../config/index.js';
import { webAppConfig } from './web-app-config.js';

describe('webAppConfig', () => {
  it('points the apps at the embedded issuer under the public URL', () => {
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:8080/' }, '/srv');
    expect(webAppConfig(config)).toEqual({
      issuer: 'http://localhost:8080/auth/realms/fhir-gateway',
      clients: { portal: 'patient-portal', clinician: 'clinician-app' },
      graphqlUrl: '/graphql',
    });
  });

  it('points the apps at an external Keycloak and keeps a path prefix of the public URL', () => {
    const config = loadConfig({ PUBLIC_URL: 'https://hospital.example.org/gateway', KEYCLOAK_URL: 'https://sso.example.org/auth/', KEYCLOAK_REALM: 'clinic' }, '/srv');
    expect(webAppConfig(config)).toMatchObject({ issuer: 'https://sso.example.org/auth/realms/clinic', graphqlUrl: '/gateway/graphql' });
  });
});
