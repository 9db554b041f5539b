import { demoPrincipals } from './demo-principals.js';
import { loadRealm, REALM_FILE } from './realm.loader.js';

describe("the realm file's demo principals (refused in production)", () => {
  it('lists the demo users by id and username, and the demo clients', () => {
    const demo = demoPrincipals(loadRealm(REALM_FILE, { publicUrl: 'https://gateway.example.org', excludeDemo: false }));
    expect([...demo.usernames].sort()).toEqual(['alice', 'audrey', 'bob', 'dr.chen', 'dr.patel', 'sam', 'service-account-demo-hospital']);
    expect(demo.userIds.size).toBe(7);
    expect(demo.userIds.has('c45a1eaf-a2fe-490d-9a7e-04dc61b80c61')).toBe(true);
    expect(demo.userIds.has('edaa50af-130b-44b8-b2dd-e965ac840c6d')).toBe(true);
    expect([...demo.clientIds].sort()).toEqual(['demo-hospital', 'fhir-gateway-cli']);
  });

  it('finds none in a realm loaded without them', () => {
    const demo = demoPrincipals(loadRealm(REALM_FILE, { publicUrl: 'https://gateway.example.org', excludeDemo: true }));
    expect({ users: demo.userIds.size, usernames: demo.usernames.size, clients: demo.clientIds.size }).toEqual({ users: 0, usernames: 0, clients: 0 });
  });
});
