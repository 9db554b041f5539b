import { redirectUriMatches } from './redirect-uris.js';

describe("Keycloak's redirect URI matching", () => {
  const registered = ['https://gw.example.org/portal/*', 'https://app.example.org/exact'];

  it.each([
    ['https://gw.example.org/portal/callback', true],
    ['https://gw.example.org/portal/', true],
    ['https://gw.example.org/portal/deep/path?x=1', true],
    ['https://app.example.org/exact', true],
    ['https://app.example.org/exact/more', false],
    ['https://gw.example.org/portal', false],
    ['https://gw.example.org/clinician/callback', false],
    ['https://gw.example.org/portal/../admin', false],
    ['https://gw.example.org/portal/%2e%2e/admin', false],
    ['https://gw.example.org/portal/callback#fragment', false],
    ['https://user:pw@gw.example.org/portal/callback', false],
    ['https://gw.example.org.evil.example/portal/callback', false],
    ['http://gw.example.org/portal/callback', false],
    ['javascript:alert(1)//gw.example.org/portal/', false],
    ['not a url', false],
  ])('%s → %s', (candidate, allowed) => {
    expect(redirectUriMatches(candidate, registered)).toBe(allowed);
  });
});
