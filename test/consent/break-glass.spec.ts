/**
 * Break-glass (issue 4 §5): a patient's standing EMERGENCY consent to the realm's emergency grantee lets any
 * clinician declare an emergency; the declaration is recorded on-chain at once (salted reason hash only) and opens
 * the compartments that consent covers for a bounded time. Real gateway, real anvil, real tokens; the chain is
 * checked through its own JSON-RPC, not through the gateway.
 */
import { createHash } from 'node:crypto';
import type { Client } from 'fhir-kit-client';
import { hexlify, JsonRpcProvider, keccak256, toUtf8Bytes } from 'ethers';
import { ChainService } from '../../gateway/src/chain/index.js';
import { derivePatientKeys, granteeId, type PatientKeys } from '../../gateway/src/crypto/index.js';
import { claimStore, grantConsent, type GrantedConsent, granteeByReference, graphql, graphqlOk, revokeConsent } from '../support/consent.js';
import { failureOf, fhirClient, type FhirBundle, type FhirFailure, type StoredFhirResource } from '../support/fhir.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const observation = (patient: string, category: string, code: string) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: CATEGORY, code: category }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2025-05-01T08:00:00Z',
});
const notKnown = (type: string, id: string): FhirFailure => ({ status: 404, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: `${type}/${id} is not known` }] } });

const EMERGENCY_FIELDS = 'id patientId consentId clinician reason declaredAt expiresAt transaction block active';
const DECLARE = `mutation($input: EmergencyInput!) { declareEmergency(input: $input) { ${EMERGENCY_FIELDS} } }`;
const REASON = 'Unconscious on arrival in the emergency department, history unknown';

interface EmergencyAccess {
  readonly id: string;
  readonly patientId: string;
  readonly consentId: string;
  readonly clinician: string;
  readonly reason: string;
  readonly declaredAt: string;
  readonly expiresAt: string;
  readonly transaction: string;
  readonly block: number;
  readonly active: boolean;
}

describe('break-glass: a declared emergency on the patient’s standing EMERGENCY consent (SQLite, real anvil, real tokens)', () => {
  let gateway: StartedGateway;
  let tokens: Record<string, string>;
  let clients: Record<string, Client>;
  let aliceKeys: PatientKeys;
  let users: ReturnType<typeof readDemoAccounts>['users'];
  let records: Record<'patient' | 'vital' | 'lab' | 'condition' | 'medication' | 'bobVital', StoredFhirResource>;
  let emergencyGrantee: string;
  let standing: GrantedConsent;
  let declared: EmergencyAccess;
  let rpc: JsonRpcProvider;
  let chain: ChainService;

  const read = (who: string, record: StoredFhirResource) => clients[who]!.read({ resourceType: record.resourceType, id: record.id });
  const declare = (who: string, input: Record<string, unknown>) => graphql<{ declareEmergency: EmergencyAccess }>(gateway.baseUrl, tokens[who]!, DECLARE, { input });
  const errorsOf = (result: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) => result.errors?.map((e) => [e.message, e.extensions?.['code']]);
  const emergencyAccesses = async () => (await graphqlOk<{ emergencyAccesses: EmergencyAccess[] }>(gateway.baseUrl, tokens['alice']!, `{ emergencyAccesses { ${EMERGENCY_FIELDS} } }`)).emergencyAccesses;

  beforeAll(async () => {
    gateway = await startGateway();
    const hospital = fhirClient(gateway.baseUrl, await hospitalAccessToken(gateway));
    tokens = { 'demo-hospital': await hospitalAccessToken(gateway) };
    clients = {};
    for (const who of ['alice', 'bob', 'dr.chen', 'dr.patel']) {
      tokens[who] = await demoAccessToken(gateway, who);
      clients[who] = fhirClient(gateway.baseUrl, tokens[who]!);
    }
    users = readDemoAccounts(gateway.dataDir).users;
    aliceKeys = derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!);
    const create = async (body: { resourceType: string; [element: string]: unknown }) => (await hospital.create({ resourceType: body.resourceType, body })) as unknown as StoredFhirResource;
    records = {
      patient: (await hospital.update({ resourceType: 'Patient', id: 'pat-alice', body: { resourceType: 'Patient', id: 'pat-alice', gender: 'female' } })) as unknown as StoredFhirResource,
      vital: await create(observation('pat-alice', 'vital-signs', '8867-4')),
      lab: await create(observation('pat-alice', 'laboratory', '2093-3')),
      condition: await create({ resourceType: 'Condition', code: { text: 'type 1 diabetes' }, subject: { reference: 'Patient/pat-alice' } }),
      medication: await create({ resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: { text: 'insulin glargine' }, subject: { reference: 'Patient/pat-alice' } }),
      bobVital: undefined as never,
    };
    await hospital.update({ resourceType: 'Patient', id: 'pat-bob', body: { resourceType: 'Patient', id: 'pat-bob' } });
    records.bobVital = await create(observation('pat-bob', 'vital-signs', '8867-4'));
    await claimStore(gateway.baseUrl, tokens['alice']!, aliceKeys, 'pat-alice');
    await claimStore(gateway.baseUrl, tokens['bob']!, derivePatientKeys(users.find((u) => u.username === 'bob')!.mnemonic!), 'pat-bob');
    emergencyGrantee = await granteeByReference(gateway.baseUrl, tokens['alice']!, 'role:clinician');
    chain = gateway.app.get(ChainService);
    rpc = new JsonRpcProvider(chain.anvil!.url, chain.chainId, { staticNetwork: true });
  });
  afterAll(async () => {
    rpc?.destroy();
    await gateway?.close();
  });

  it('answers 404 to dr.patel, who holds no consent, before anything is declared', async () => {
    expect(await failureOf(read('dr.patel', records.vital))).toEqual(notKnown('Observation', records.vital.id));
    const { patientRecords } = await graphqlOk<{ patientRecords: string[] }>(gateway.baseUrl, tokens['dr.patel']!, '{ patientRecords(patientId: "pat-alice", resourceType: "Observation") }');
    expect(patientRecords).toEqual([]);
  });

  it('lets alice enable emergency access with an EMERGENCY consent to the emergency grantee, which alone opens nothing', async () => {
    standing = await grantConsent(gateway.baseUrl, tokens['alice']!, aliceKeys, { granteeId: emergencyGrantee, purpose: 'EMERGENCY', compartments: ['demographics', 'vitals', 'conditions'], durationDays: 365 });
    expect(standing).toMatchObject({
      patientId: 'pat-alice',
      purpose: 'EMERGENCY',
      compartments: ['conditions', 'demographics', 'vitals'],
      status: 'active',
      grantee: { id: emergencyGrantee, kind: 'emergency', name: 'Any clinician, in an emergency (break-glass)', reference: 'role:clinician' },
    });
    for (const who of ['dr.patel', 'dr.chen']) expect(await failureOf(read(who, records.vital))).toEqual(notKnown('Observation', records.vital.id));
  });

  it('refuses a reason shorter than 10 characters with BAD_USER_INPUT, saying how long it was', async () => {
    expect(errorsOf(await declare('dr.patel', { patientId: 'pat-alice', reason: '  too short  ' }))).toEqual([['reason: expected 10 to 500 characters, got 9', 'BAD_USER_INPUT']]);
    expect(await emergencyAccesses()).toEqual([]);
  });

  it('refuses a patient and a hospital system declaring an emergency (FORBIDDEN)', async () => {
    for (const who of ['alice', 'demo-hospital']) expect(errorsOf(await declare(who, { patientId: 'pat-alice', reason: REASON }))).toEqual([['requires the realm role "clinician"', 'FORBIDDEN']]);
    expect(await emergencyAccesses()).toEqual([]);
  });

  it('answers CONFLICT for a patient who has not enabled emergency access: the gateway holds no key to their records', async () => {
    expect(errorsOf(await declare('dr.patel', { patientId: 'pat-bob', reason: REASON }))).toEqual([
      ['Patient/pat-bob has not enabled emergency access (or it has ended): the gateway holds no key to their records', 'CONFLICT'],
    ]);
    expect(await failureOf(read('dr.patel', records.bobVital))).toEqual(notKnown('Observation', records.bobVital.id));
  });

  it('records dr.patel’s declaration on-chain at once: the patient’s address, his grantee id, one hour, a salted reason hash', async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await declare('dr.patel', { patientId: 'pat-alice', reason: REASON });
    const after = Math.floor(Date.now() / 1000);
    expect(result.errors).toBeUndefined();
    declared = result.data!.declareEmergency;
    expect(declared).toEqual({
      id: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      patientId: 'pat-alice',
      consentId: standing.id,
      clinician: 'dr.patel',
      reason: REASON,
      declaredAt: expect.any(String),
      expiresAt: expect.any(String),
      transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      block: expect.any(Number),
      active: true,
    });

    const receipt = (await rpc.getTransactionReceipt(declared.transaction))!;
    expect([receipt.status, receipt.blockNumber, receipt.to]).toEqual([1, declared.block, await chain.consentRegistry.getAddress()]);
    const events = receipt.logs.map((log) => chain.consentRegistry.interface.parseLog(log)).filter((e) => e !== null);
    expect(events.map((e) => e.name)).toEqual(['EmergencyAccessRecorded']);
    const [accessId, patient, grantee, consentId, reasonHash, notAfter] = events[0]!.args as unknown as [string, string, string, string, string, bigint];
    const patelSub = users.find((u) => u.username === 'dr.patel')!.id;
    expect([accessId, patient, grantee, consentId]).toEqual([declared.id, aliceKeys.address, granteeId(gateway.issuer, `user:${patelSub}`), standing.id]);
    expect(grantee).toBe(await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${patelSub}`));

    // One hour from the gateway's clock at the declaration; the block's own time is that second or the next.
    const blockTime = (await rpc.getBlock(declared.block))!.timestamp;
    expect(Number(notAfter) - 3600).toBeGreaterThanOrEqual(before);
    expect(Number(notAfter) - 3600).toBeLessThanOrEqual(after);
    expect(Number(notAfter) - blockTime).toBeGreaterThanOrEqual(3599);
    expect(Number(notAfter) - blockTime).toBeLessThanOrEqual(3600);
    expect([declared.declaredAt, declared.expiresAt]).toEqual([new Date(blockTime * 1000).toISOString(), new Date(Number(notAfter) * 1000).toISOString()]);

    // Salted: neither hash of the plain reason; and the reason itself is nowhere on-chain.
    const sha256 = `0x${createHash('sha256').update(REASON).digest('hex')}`;
    expect(reasonHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect([reasonHash === sha256, reasonHash === keccak256(toUtf8Bytes(REASON))]).toEqual([false, false]);
    const needles = [hexlify(toUtf8Bytes(REASON)).slice(2), hexlify(toUtf8Bytes('arrival in the emergency')).slice(2), sha256.slice(2)];
    const latest = await rpc.getBlockNumber();
    for (let number = 0; number <= latest; number += 1) {
      const block = (await rpc.getBlock(number, true))!;
      for (const tx of block.prefetchedTransactions) {
        const logs = (await rpc.getTransactionReceipt(tx.hash))!.logs.map((l) => [l.data, ...l.topics].join(''));
        const onChain = [tx.data, ...logs].join('').toLowerCase();
        expect(needles.filter((needle) => onChain.includes(needle))).toEqual([]);
      }
    }
  });

  it('lets dr.patel read the compartments the emergency consent covers, and nothing else', async () => {
    for (const record of [records.patient, records.vital, records.condition]) expect(await read('dr.patel', record)).toEqual(record);
    for (const record of [records.lab, records.medication, records.bobVital]) expect(await failureOf(read('dr.patel', record))).toEqual(notKnown(record.resourceType, record.id));
    const found = (await clients['dr.patel']!.search({ resourceType: 'Observation', searchParams: { patient: 'pat-alice' } })) as unknown as FhirBundle;
    expect([found.total, found.entry!.map((e) => e.resource)]).toEqual([1, [records.vital]]);
    const { patientRecords } = await graphqlOk<{ patientRecords: string[] }>(gateway.baseUrl, tokens['dr.patel']!, '{ patientRecords(patientId: "pat-alice", resourceType: "Observation") }');
    expect(patientRecords.map((r) => JSON.parse(r) as unknown)).toEqual([records.vital]);
    const { consentedPatients } = await graphqlOk<{ consentedPatients: unknown[] }>(gateway.baseUrl, tokens['dr.patel']!, '{ consentedPatients { patientId compartments emergencyId expiresAt consents { id } } }');
    expect(consentedPatients).toEqual([{ patientId: 'pat-alice', compartments: ['conditions', 'demographics', 'vitals'], emergencyId: declared.id, expiresAt: declared.expiresAt, consents: [{ id: standing.id }] }]);
  });

  it('keeps the break-glass to the clinician who declared it: dr.chen still gets 404', async () => {
    expect(await failureOf(read('dr.chen', records.vital))).toEqual(notKnown('Observation', records.vital.id));
  });

  it('shows alice the emergency as active, with dr.patel and his reason', async () => {
    expect(await emergencyAccesses()).toEqual([declared]);
  });

  it('shows dr.patel’s declaration and reads in alice’s access timeline under the emergency', async () => {
    const { accessTimeline } = await graphqlOk<{ accessTimeline: unknown[] }>(gateway.baseUrl, tokens['alice']!, '{ accessTimeline(limit: 500) { actor actorRole interaction resourceType outcome consentId emergencyId } }');
    const patel = (interaction: string, resourceType: string | null, outcome: string, under: boolean) => ({
      actor: 'dr.patel',
      actorRole: 'clinician',
      interaction,
      resourceType,
      outcome,
      consentId: under ? standing.id : null,
      emergencyId: under ? declared.id : null,
    });
    expect(accessTimeline).toContainEqual(patel('emergency', null, 'allowed', true));
    expect(accessTimeline).toContainEqual(patel('read', 'Observation', 'allowed', true));
    expect(accessTimeline).toContainEqual(patel('read', 'Condition', 'allowed', true));
    expect(accessTimeline).toContainEqual(patel('read', 'Patient', 'allowed', true));
    expect(accessTimeline).toContainEqual(patel('read', 'MedicationStatement', 'denied', false));
    expect(accessTimeline).toContainEqual(patel('read', 'Observation', 'denied', false));
  });

  it('gives a one-minute declaration a window that ends exactly 60 s after it was declared', async () => {
    const result = await declare('dr.chen', { patientId: 'pat-alice', reason: 'Seizure in the waiting room, needs allergies', durationMinutes: 1 });
    expect(result.errors).toBeUndefined();
    const brief = result.data!.declareEmergency;
    expect([brief.clinician, brief.active, Date.parse(brief.expiresAt) - Date.parse(brief.declaredAt)]).toEqual(['dr.chen', true, 60_000]);
    expect(await read('dr.chen', records.vital)).toEqual(records.vital);
  });

  it('ends every break-glass access when alice revokes the emergency consent: the next read answers 404', async () => {
    await revokeConsent(gateway.baseUrl, tokens['alice']!, aliceKeys, standing.id);
    for (const who of ['dr.patel', 'dr.chen']) expect(await failureOf(read(who, records.vital))).toEqual(notKnown('Observation', records.vital.id));
    expect((await emergencyAccesses()).map((e) => [e.clinician, e.active])).toEqual([
      ['dr.chen', false],
      ['dr.patel', false],
    ]);
    expect(errorsOf(await declare('dr.patel', { patientId: 'pat-alice', reason: REASON }))).toEqual([
      ['Patient/pat-alice has not enabled emergency access (or it has ended): the gateway holds no key to their records', 'CONFLICT'],
    ]);
  });

  it('widens a clinician’s narrower TREATMENT consent to what the emergency consent covers once he declares', async () => {
    const chenId = await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
    await grantConsent(gateway.baseUrl, tokens['alice']!, aliceKeys, { granteeId: chenId, purpose: 'TREATMENT', compartments: ['demographics'], durationDays: 7 });
    await grantConsent(gateway.baseUrl, tokens['alice']!, aliceKeys, { granteeId: emergencyGrantee, purpose: 'EMERGENCY', compartments: ['demographics', 'vitals', 'conditions'], durationDays: 365 });
    expect(await read('dr.chen', records.patient)).toEqual(records.patient);
    expect(await failureOf(read('dr.chen', records.vital))).toEqual(notKnown('Observation', records.vital.id));
    const result = await declare('dr.chen', { patientId: 'pat-alice', reason: 'Collapsed during the consultation, unresponsive' });
    expect(result.data?.declareEmergency.active).toBe(true);
    // The emergency is on-chain and shown to alice as active: it must open what the emergency consent covers.
    expect(await read('dr.chen', records.vital)).toEqual(records.vital);
    expect(await read('dr.chen', records.condition)).toEqual(records.condition);
  });
});
