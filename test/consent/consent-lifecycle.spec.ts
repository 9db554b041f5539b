import type { Client } from 'fhir-kit-client';
import { Wallet } from 'ethers';
import { buildStoreClaim, type consentDomain, consentIdOf, derivePatientKeys, fromBase64Url, grantTypedData, nobleX25519, type PatientKeys, purposeId, scopeHash, canonicalScope, sealReleases, signConsentTypedData } from '../../gateway/src/crypto/index.js';
import { DatabaseService } from '../../gateway/src/store/index.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';
import { failureOf, fhirClient, rawRequest, type FhirBundle, type StoredFhirResource } from '../support/fhir.js';
import { CONSENT_FIELDS, type GrantedConsent, grantConsent, granteeByReference, graphql, graphqlOk, revokeConsent } from '../support/consent.js';

const vital = (patient: string) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2025-05-01T08:00:00Z',
  valueQuantity: { value: 61, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});
const lab = (patient: string) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '2093-3' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2025-05-01T08:00:00Z',
  valueQuantity: { value: 212, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
});
const notKnown = (type: string, id: string) => ({ status: 404, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `${type}/${id} is not known` }] } });

describe('consent on-chain: grant, enforce, revoke (SQLite, real anvil, real tokens)', () => {
  let gateway: StartedGateway;
  let hospital: Client;
  let tokens: Record<string, string>;
  let clients: Record<string, Client>;
  let aliceKeys: PatientKeys;
  let patient: StoredFhirResource;
  let vitalRecord: StoredFhirResource;
  let labRecord: StoredFhirResource;
  let chenId: string;

  const read = (who: string, record: StoredFhirResource) => clients[who]!.read({ resourceType: record.resourceType, id: record.id });

  beforeAll(async () => {
    gateway = await startGateway();
    hospital = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
    tokens = {};
    clients = {};
    for (const who of ['alice', 'bob', 'dr.chen', 'dr.patel']) {
      tokens[who] = await demoAccessToken(gateway, who);
      clients[who] = fhirClient(gateway.baseUrl, tokens[who]!);
    }
    const users = readDemoAccounts(gateway.dataDir).users;
    aliceKeys = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
    patient = (await hospital.update({ resourceType: 'Patient', id: 'pat-alice', body: { resourceType: 'Patient', id: 'pat-alice', gender: 'female' } })) as unknown as StoredFhirResource;
    vitalRecord = (await hospital.create({ resourceType: 'Observation', body: vital('pat-alice') })) as unknown as StoredFhirResource;
    labRecord = (await hospital.create({ resourceType: 'Observation', body: lab('pat-alice') })) as unknown as StoredFhirResource;
    await hospital.update({ resourceType: 'Patient', id: 'pat-bob', body: { resourceType: 'Patient', id: 'pat-bob' } });
    const claim = await rawRequest(`${gateway.baseUrl}/api/patient-store/claim`, tokens['alice']!, { body: JSON.stringify(await buildStoreClaim(aliceKeys, 'pat-alice', gateway.baseUrl)), contentType: 'application/json' });
    expect(claim.status).toBe(200);
    chenId = await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
  });
  afterAll(async () => gateway.close());

  it('lists the realm’s clinicians, the hospital system and the emergency grantee in the directory', async () => {
    const { consentDirectory } = await graphqlOk<{ consentDirectory: { kind: string; name: string }[] }>(gateway.baseUrl, tokens['alice']!, '{ consentDirectory { kind name } }');
    expect(consentDirectory).toEqual([
      { kind: 'clinician', name: 'Priya Patel' },
      { kind: 'clinician', name: 'Wei Chen' },
      { kind: 'organization', name: 'Demo hospital EHR (demo)' },
      { kind: 'emergency', name: 'Any clinician, in an emergency (break-glass)' },
    ]);
  });

  it('answers 404 to a clinician without consent once the store is claimed (and to its custodian)', async () => {
    for (const who of ['dr.chen', 'dr.patel']) expect(await failureOf(read(who, vitalRecord))).toEqual(notKnown('Observation', vitalRecord.id));
    expect(await failureOf(hospital.read({ resourceType: 'Observation', id: vitalRecord.id }))).toEqual(notKnown('Observation', vitalRecord.id));
  });

  describe('with a TREATMENT consent to dr.chen for demographics and vitals', () => {
    let consent: GrantedConsent;
    beforeAll(async () => {
      consent = await grantConsent(gateway.baseUrl, tokens['alice']!, aliceKeys, { granteeId: chenId, purpose: 'TREATMENT', compartments: ['vitals', 'demographics'], durationDays: 7 });
    });

    it('returns the consent as the chain recorded it, with its transaction and block', () => {
      expect(consent).toEqual({
        id: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        patientId: 'pat-alice',
        purpose: 'TREATMENT',
        compartments: ['demographics', 'vitals'],
        models: [],
        notBefore: expect.any(String),
        notAfter: expect.any(String),
        status: 'active',
        chainId: 31337,
        grantTransaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        grantBlock: expect.any(Number),
        revokeTransaction: null,
        revokeBlock: null,
        fhirConsentId: consent.id.slice(2),
        grantee: { id: chenId, kind: 'clinician', name: 'Wei Chen', reference: expect.stringMatching(/^user:/) },
      });
      expect(Date.parse(consent.notAfter) - Date.parse(consent.notBefore)).toBe(7 * 86_400_000);
    });

    it('lets dr.chen read, vread, history and search the covered compartments, exactly as written', async () => {
      expect(await read('dr.chen', vitalRecord)).toEqual(vitalRecord);
      expect(await read('dr.chen', patient)).toEqual(patient);
      expect(await clients['dr.chen']!.vread({ resourceType: 'Observation', id: vitalRecord.id, version: '1' })).toEqual(vitalRecord);
      const history = (await clients['dr.chen']!.history({ resourceType: 'Observation', id: vitalRecord.id })) as unknown as FhirBundle;
      expect(history.entry!.map((e) => e.resource)).toEqual([vitalRecord]);
      const found = (await clients['dr.chen']!.search({ resourceType: 'Observation', searchParams: { patient: 'pat-alice', _include: 'Observation:patient' } })) as unknown as FhirBundle;
      expect(found.total).toBe(1);
      expect(found.entry!.map((e) => [e.search?.mode, e.resource])).toEqual([
        ['match', vitalRecord],
        ['include', patient],
      ]);
    });

    it('keeps the compartments out of scope unknown to dr.chen, and everything unknown to dr.patel', async () => {
      expect(await failureOf(read('dr.chen', labRecord))).toEqual(notKnown('Observation', labRecord.id));
      for (const record of [vitalRecord, labRecord, patient]) expect(await failureOf(read('dr.patel', record))).toEqual(notKnown(record.resourceType, record.id));
      const found = (await clients['dr.patel']!.search({ resourceType: 'Observation', searchParams: { patient: 'pat-alice' } })) as unknown as FhirBundle;
      expect([found.total, found.entry ?? []]).toEqual([0, []]);
    });

    it('serves the consent at /fhir/Consent to alice and dr.chen, as a projection of chain state, and to nobody else', async () => {
      const resource = (await clients['alice']!.read({ resourceType: 'Consent', id: consent.fhirConsentId! })) as unknown as Record<string, unknown>;
      expect(resource).toMatchObject({
        resourceType: 'Consent',
        id: consent.fhirConsentId,
        status: 'active',
        patient: { reference: 'Patient/pat-alice' },
        identifier: [{ system: 'urn:fhir-gateway:consent-registry', value: expect.stringMatching(new RegExp(`^eip155:31337:0x[0-9a-f]{40}:${consent.id}$`)) }],
        provision: { type: 'permit', purpose: [{ code: 'TREATMENT' }, { code: 'TREAT' }], securityLabel: [{ code: 'demographics' }, { code: 'vitals' }] },
      });
      expect(await clients['dr.chen']!.read({ resourceType: 'Consent', id: consent.fhirConsentId! })).toEqual(resource);
      expect(await failureOf(clients['dr.patel']!.read({ resourceType: 'Consent', id: consent.fhirConsentId! }))).toEqual(notKnown('Consent', consent.fhirConsentId!));
      const searched = (await clients['dr.chen']!.search({ resourceType: 'Consent', searchParams: { patient: 'pat-alice', status: 'active' } })) as unknown as FhirBundle;
      expect([searched.total, searched.entry!.map((e) => e.resource)]).toEqual([1, [resource]]);
      expect((await failureOf(hospital.create({ resourceType: 'Consent', body: { resourceType: 'Consent' } }))).status).toBe(405);
    });

    it('shows alice who read what, under which consent, denials included', async () => {
      const { accessTimeline } = await graphqlOk<{ accessTimeline: { actor: string; interaction: string; resourceType: string; outcome: string; consentId: string | null }[] }>(
        gateway.baseUrl,
        tokens['alice']!,
        '{ accessTimeline(limit: 500) { actor interaction resourceType outcome consentId } }',
      );
      expect(accessTimeline).toContainEqual({ actor: 'dr.chen', interaction: 'read', resourceType: 'Observation', outcome: 'allowed', consentId: consent.id });
      expect(accessTimeline).toContainEqual({ actor: 'dr.chen', interaction: 'read', resourceType: 'Observation', outcome: 'denied', consentId: null });
      expect(accessTimeline).toContainEqual({ actor: 'dr.patel', interaction: 'read', resourceType: 'Observation', outcome: 'denied', consentId: null });
      expect(accessTimeline).toContainEqual({ actor: 'alice', interaction: 'consent-grant', resourceType: null, outcome: 'allowed', consentId: consent.id });
    });

    it('lists alice among dr.chen’s consented patients with the compartments he may read', async () => {
      const { consentedPatients } = await graphqlOk<{ consentedPatients: { patientId: string; compartments: string[]; emergencyId: string | null; consents: { id: string }[] }[] }>(
        gateway.baseUrl,
        tokens['dr.chen']!,
        '{ consentedPatients { patientId compartments emergencyId consents { id } } }',
      );
      expect(consentedPatients).toEqual([{ patientId: 'pat-alice', compartments: ['demographics', 'vitals'], emergencyId: null, consents: [{ id: consent.id }] }]);
      const { patientRecords } = await graphqlOk<{ patientRecords: string[] }>(gateway.baseUrl, tokens['dr.chen']!, '{ patientRecords(patientId: "pat-alice", resourceType: "Observation") }');
      expect(patientRecords.map((r) => JSON.parse(r) as unknown)).toEqual([vitalRecord]);
    });

    it('refuses a replayed grant, a forged signature and a tampered scope, leaving nothing behind', async () => {
      const { draftConsent: draft } = await graphqlOk<{ draftConsent: { consentId: string; typedData: string; scope: string; releaseKey: string; patientAddress: string; notAfter: number } }>(
        gateway.baseUrl,
        tokens['alice']!,
        'mutation($input: ConsentDraftInput!) { draftConsent(input: $input) { consentId typedData scope releaseKey patientAddress notAfter } }',
        { input: { granteeId: chenId, purpose: 'TREATMENT', compartments: ['labs'], models: [], durationDays: 1 } },
      );
      const typed = JSON.parse(draft.typedData) as Parameters<typeof signConsentTypedData>[1];
      const releases = sealReleases(nobleX25519, fromBase64Url(draft.releaseKey, 'releaseKey'), aliceKeys, ['labs'], { consentId: draft.consentId, patient: draft.patientAddress, notAfter: draft.notAfter });
      const submit = (signature: string, scope = draft.scope) =>
        graphql(gateway.baseUrl, tokens['alice']!, `mutation($input: ConsentGrantInput!) { grantConsent(input: $input) { id } }`, { input: { typedData: draft.typedData, signature, scope, releases } });
      const forged = await signConsentTypedData(Wallet.createRandom(), typed);
      expect((await submit(forged)).errors?.map((e) => [e.message, e.extensions?.['code']])).toEqual([['signature: not made with the key your store was claimed with', 'BAD_USER_INPUT']]);
      const tampered = canonicalScope({ compartments: ['labs', 'vitals'], models: [] });
      const good = await signConsentTypedData(new Wallet(aliceKeys.signingKey), typed);
      expect((await submit(good, tampered)).errors?.map((e) => e.message)).toEqual(['scope: its SHA-256 is not the scopeHash that was signed']);
      expect((await submit(good)).errors).toBeUndefined();
      expect((await submit(good)).errors?.map((e) => [e.message, e.extensions?.['code']])).toEqual([['the draft is out of date (another consent or revocation was signed since); draft it again', 'CONFLICT']]);
      expect(await read('dr.chen', labRecord)).toEqual(labRecord);
    });

    it('ends access at the revocation: the next read answers 404 and the releases are destroyed', async () => {
      const revoked = await revokeConsent(gateway.baseUrl, tokens['alice']!, aliceKeys, consent.id);
      expect(revoked).toMatchObject({ id: consent.id, status: 'revoked', revokeTransaction: expect.stringMatching(/^0x[0-9a-f]{64}$/), revokeBlock: expect.any(Number) });
      expect(await failureOf(read('dr.chen', vitalRecord))).toEqual(notKnown('Observation', vitalRecord.id));
      const db = gateway.app.get(DatabaseService).db;
      expect(await db.selectFrom('key_release').select('compartment').where('consent_id', '=', consent.id).execute()).toEqual([]);
      const resource = (await clients['alice']!.read({ resourceType: 'Consent', id: consent.fhirConsentId! })) as unknown as { status: string };
      expect(resource.status).toBe('inactive');
      const again = await graphql(gateway.baseUrl, tokens['alice']!, 'mutation($id: String!) { draftRevocation(consentId: $id) { typedData } }', { id: consent.id });
      expect(again.errors?.map((e) => e.message)).toEqual([`consent ${consent.id} is already revoked`]);
    });
  });

  it('refuses drafts for an unclaimed store, an unknown grantee and the wrong purpose with clear messages', async () => {
    const draft = (token: string, input: Record<string, unknown>) =>
      graphql(gateway.baseUrl, token, 'mutation($input: ConsentDraftInput!) { draftConsent(input: $input) { consentId } }', { input: { granteeId: chenId, purpose: 'TREATMENT', compartments: ['vitals'], models: [], durationDays: 1, ...input } });
    expect((await draft(tokens['bob']!, {})).errors?.map((e) => e.message)).toEqual(['claim your store first: consents are signed with the key you claim it with']);
    expect((await draft(tokens['alice']!, { granteeId: `0x${'ab'.repeat(32)}` })).errors?.map((e) => e.message)).toEqual(['granteeId: expected a grantee from the consent directory']);
    expect((await draft(tokens['alice']!, { purpose: 'MARKETING' })).errors?.map((e) => e.message)).toEqual(['purpose: expected TREATMENT, DIAGNOSIS, RESEARCH or EMERGENCY']);
    expect((await draft(tokens['alice']!, { compartments: ['secrets'] })).errors?.map((e) => e.message)).toEqual([
      'compartments: expected one or more of demographics, vitals, labs, conditions, medications, encounters, documents, ai-results, got 1 other value(s)',
    ]);
    expect((await draft(tokens['dr.chen']!, {})).errors?.map((e) => e.extensions?.['code'])).toEqual(['FORBIDDEN']);
  });

  it('does not honour a consent whose window has not begun, nor one that has ended', async () => {
    const signer = new Wallet(aliceKeys.signingKey);
    const now = Math.floor(Date.now() / 1000);
    const { draftConsent: base } = await graphqlOk<{ draftConsent: { typedData: string } }>(gateway.baseUrl, tokens['alice']!, 'mutation($input: ConsentDraftInput!) { draftConsent(input: $input) { typedData } }', {
      input: { granteeId: chenId, purpose: 'TREATMENT', compartments: ['vitals'], models: [], durationDays: 1 },
    });
    const domain = (JSON.parse(base.typedData) as { domain: ReturnType<typeof consentDomain> }).domain;
    const grantWindow = async (notBefore: number, notAfter: number) => {
      const { draftConsent: d } = await graphqlOk<{ draftConsent: { typedData: string; releaseKey: string; patientAddress: string } }>(gateway.baseUrl, tokens['alice']!, 'mutation($input: ConsentDraftInput!) { draftConsent(input: $input) { typedData releaseKey patientAddress } }', {
        input: { granteeId: chenId, purpose: 'TREATMENT', compartments: ['vitals'], models: [], durationDays: 1 },
      });
      const message = (JSON.parse(d.typedData) as { message: { nonce: string; deadline: string } }).message;
      const scope = canonicalScope({ compartments: ['vitals'], models: [] });
      const typed = grantTypedData(domain, { patient: aliceKeys.address, grantee: chenId, purpose: purposeId('TREATMENT'), scopeHash: scopeHash(scope), notBefore, notAfter, nonce: message.nonce, deadline: message.deadline });
      const consentId = consentIdOf(aliceKeys.address, message.nonce);
      const releases = sealReleases(nobleX25519, fromBase64Url(d.releaseKey, 'releaseKey'), aliceKeys, ['vitals'], { consentId, patient: aliceKeys.address, notAfter });
      return graphqlOk<{ grantConsent: GrantedConsent }>(gateway.baseUrl, tokens['alice']!, `mutation($input: ConsentGrantInput!) { grantConsent(input: $input) { ${CONSENT_FIELDS} } }`, {
        input: { typedData: JSON.stringify(typed), signature: await signConsentTypedData(signer, typed), scope, releases },
      });
    };
    const future = await grantWindow(now + 3600, now + 7200);
    expect(future.grantConsent.status).toBe('pending');
    expect(await failureOf(read('dr.chen', vitalRecord))).toEqual(notKnown('Observation', vitalRecord.id));
    const brief = await grantWindow(now - 60, now + 4);
    expect(brief.grantConsent.status).toBe('active');
    expect(await read('dr.chen', vitalRecord)).toEqual(vitalRecord);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (now + 4) * 1000 - Date.now() + 50)));
    expect(await failureOf(read('dr.chen', vitalRecord))).toEqual(notKnown('Observation', vitalRecord.id));
  });
});
