/**
 * `$diagnose` end to end (issue 5 §2–§5): a clinician runs a model on a patient under the patient's DIAGNOSIS
 * consent; the data contract decrypts only the records the model needs (proved from the store's trace of opened
 * record versions), converts units, refuses missing and out-of-range input with an OperationOutcome naming each,
 * explains the result (attributions sum to prediction minus reference) and seals a RiskAssessment and its
 * Provenance into the patient's ai-results compartment. Real gateway, real anvil, real tokens, real onnxruntime.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from 'fhir-kit-client';
import { pino } from 'pino';
import { derivePatientKeys, type PatientKeys } from '../../gateway/src/crypto/index.js';
import { ckdEpi, pooledCohortRisk } from '../support/clinical-equations.js';
import { claimStore, grantConsent, type GrantedConsent, granteeByReference, graphql, graphqlOk, revokeConsent } from '../support/consent.js';
import { failureOf, fhirClient, type StoredFhirResource } from '../support/fhir.js';
import { startGateway, type StartedGateway } from '../support/gateway.js';
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/postgres.js';
import { demoAccessToken, hospitalAccessToken, readDemoAccounts } from '../support/oidc.js';

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
/** A birth date that makes the patient exactly `years` old today (and for the next few days). */
const bornYearsAgo = (years: number) => {
  const d = new Date(Date.now() - 5 * DAY);
  return `${d.getUTCFullYear() - years}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
};

interface Parameters {
  resourceType: 'Parameters';
  parameter: { name: string; resource?: Record<string, unknown>; valueString?: string; valueCode?: string; part?: { name: string; valueString?: string; valueCode?: string }[] }[];
}
const param = (p: Parameters, name: string) => p.parameter.find((x) => x.name === name);
const part = (p: Parameters, name: string, partName: string) => param(p, name)?.part?.find((x) => x.name === partName);

const DIAGNOSIS_FIELDS =
  'id patientId occurredAt consentId modelId modelVersion modelTitle modelSha256 warnings riskAssessment provenance outputs { name label raw value unitLabel display band } inputs { name label value unitLabel reference date recordedValue recordedUnit } explanation { method summary prediction referencePrediction reference errorBound contributions { feature label valueText contribution direction text } sha256 document } feedback { decision reason author at } receipt { json sha256 }';
const REQUEST = `mutation($input: DiagnoseInput!) { requestDiagnosis(input: $input) { ${DIAGNOSIS_FIELDS} } }`;

interface DiagnosisView {
  id: string;
  consentId: string;
  modelVersion: string;
  modelSha256: string;
  warnings: string[];
  riskAssessment: string;
  outputs: { name: string; raw: number; value: number; display: string; band: string | null }[];
  inputs: { name: string; value: number; reference: string | null; date: string | null; recordedValue: number | null; recordedUnit: string | null }[];
  explanation: { method: string; summary: string; prediction: number; referencePrediction: number; errorBound: number | null; contributions: { feature: string; contribution: number; direction: string }[]; sha256: string; document: string };
  feedback: { decision: string; reason: string | null; author: string } | null;
  receipt: { json: string; sha256: string };
}

/** Log lines in memory, to read which record versions the store opened (LOG_LEVEL=trace) and to scan for leaks. */
class MemoryLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  openedSince(mark: number): string[] {
    return this.lines
      .slice(mark)
      .map((l) => JSON.parse(l) as { msg?: string; opened?: string })
      .filter((l) => l.msg === 'record opened')
      .map((l) => l.opened!);
  }
}

/** The suite, on the store `database()` gives (SQLite by default; a PostgreSQL database below). */
function diagnoseSuite(name: string, database: () => Promise<Record<string, string>>, drop: () => Promise<void> = async () => undefined): void {
  describe(name, () => {
    const log = new MemoryLog();
    let gateway: StartedGateway;
    let tokens: Record<string, string>;
    let clients: Record<string, Client>;
    let keys: Record<'alice' | 'bob', PatientKeys>;
    let drChen: string;
    let consent: GrantedConsent;
    const rec: Record<string, StoredFhirResource> = {};
    const ref = (r: StoredFhirResource) => `${r.resourceType}/${r.id}/_history/${r.meta.versionId}`;
    const diagnose = (who: string, patient: string, parameters: Record<string, string>) =>
      clients[who]!.operation({ name: '$diagnose', resourceType: 'Patient', id: patient, input: { resourceType: 'Parameters', parameter: Object.entries(parameters).map(([name, valueString]) => ({ name, valueString })) } }) as unknown as Promise<Parameters>;
    const request = (who: string, input: Record<string, unknown>) => graphql<{ requestDiagnosis: DiagnosisView }>(gateway.baseUrl, tokens[who]!, REQUEST, { input });

    beforeAll(async () => {
      gateway = await startGateway({ LOG_LEVEL: 'trace', ...(await database()) }, { logger: pino({ level: 'trace' }, log) });
      tokens = { hospital: await hospitalAccessToken(gateway) };
      clients = {};
      for (const who of ['alice', 'bob', 'dr.chen', 'dr.patel']) {
        tokens[who] = await demoAccessToken(gateway, who);
        clients[who] = fhirClient(gateway.baseUrl, tokens[who]!);
      }
      const hospital = fhirClient(gateway.baseUrl, tokens['hospital']!);
      const users = readDemoAccounts(gateway.dataDir).users;
      keys = { alice: derivePatientKeys(users.find((u) => u.username === 'alice')!.mnemonic!), bob: derivePatientKeys(users.find((u) => u.username === 'bob')!.mnemonic!) };
      const create = async (name: string, body: Record<string, unknown> & { resourceType: string }) => (rec[name] = (await hospital.create({ resourceType: body.resourceType, body })) as unknown as StoredFhirResource);
      const obs = (patient: string, category: string, code: string, when: string, value: Record<string, unknown>, status = 'final') => ({
        resourceType: 'Observation',
        status,
        category: [{ coding: [{ system: CATEGORY, code: category }] }],
        code: { coding: [{ system: LOINC, code }] },
        subject: { reference: `Patient/${patient}` },
        effectiveDateTime: when,
        ...value,
      });
      const bp = (patient: string, when: string, systolic: number) => ({
        ...obs(patient, 'vital-signs', '85354-9', when, {}),
        component: [
          { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: systolic, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
          { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
        ],
      });
      const qty = (value: number, code: string) => ({ valueQuantity: { value, unit: code, system: 'http://unitsofmeasure.org', code } });
      const smoking = (patient: string, when: string, answer: string) => obs(patient, 'social-history', '72166-2', when, { valueCodeableConcept: { coding: [{ system: SNOMED, code: answer }] } });

      // Alice: 55, female, White; lipids in mmol/L (converted), the newest cholesterol still preliminary (skipped).
      rec['alice'] = (await hospital.update({
        resourceType: 'Patient',
        id: 'pat-alice',
        body: { resourceType: 'Patient', id: 'pat-alice', gender: 'female', birthDate: bornYearsAgo(55), extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [{ url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', display: 'White' } }] }] },
      })) as unknown as StoredFhirResource;
      await create('tcOld', obs('pat-alice', 'laboratory', '14647-2', daysAgo(400), qty(6.2, 'mmol/L')));
      await create('tc', obs('pat-alice', 'laboratory', '14647-2', daysAgo(30), qty(5.51, 'mmol/L')));
      await create('tcPreliminary', obs('pat-alice', 'laboratory', '14647-2', daysAgo(2), qty(9.9, 'mmol/L'), 'preliminary'));
      await create('hdlOld', obs('pat-alice', 'laboratory', '2085-9', daysAgo(300), qty(44, 'mg/dL')));
      await create('hdl', obs('pat-alice', 'laboratory', '2085-9', daysAgo(30), qty(50, 'mg/dL')));
      await create('bpOld', bp('pat-alice', daysAgo(200), 128));
      await create('bp', bp('pat-alice', daysAgo(10), 150));
      await create('smoking', smoking('pat-alice', daysAgo(60), '449868002'));
      // Records outside the contract: never to be decrypted by a diagnosis.
      await create('heartRate', obs('pat-alice', 'vital-signs', '8867-4', daysAgo(10), qty(72, '/min')));
      await create('hba1c', obs('pat-alice', 'laboratory', '4548-4', daysAgo(30), qty(5.4, '%')));
      await create('hypertension', { resourceType: 'Condition', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, code: { coding: [{ system: SNOMED, code: '38341003' }] }, subject: { reference: 'Patient/pat-alice' } });
      await create('statin', { resourceType: 'MedicationStatement', status: 'active', medicationCodeableConcept: { coding: [{ system: RXNORM, code: '617310' }] }, subject: { reference: 'Patient/pat-alice' } });
      await create('note', { resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('SYNTHETIC progress note').toString('base64') } }], subject: { reference: 'Patient/pat-alice' } });
      await create('creatinineAlice', obs('pat-alice', 'laboratory', '2160-0', daysAgo(20), qty(0.9, 'mg/dL')));

      // Bob: 68, male, Black, creatinine in umol/L, treated hypertension, diabetes; no HDL and a systolic of 210.
      rec['bob'] = (await hospital.update({
        resourceType: 'Patient',
        id: 'pat-bob',
        body: { resourceType: 'Patient', id: 'pat-bob', gender: 'male', birthDate: bornYearsAgo(68), extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [{ url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2054-5', display: 'Black or African American' } }] }] },
      })) as unknown as StoredFhirResource;
      await create('bobCreatinine', obs('pat-bob', 'laboratory', '14682-9', daysAgo(15), qty(132.6, 'umol/L')));
      await create('bobTc', obs('pat-bob', 'laboratory', '2093-3', daysAgo(15), qty(190, 'mg/dL')));
      await create('bobBp', bp('pat-bob', daysAgo(15), 210));
      await create('bobSmoking', smoking('pat-bob', daysAgo(15), '266919005'));

      await claimStore(gateway.baseUrl, tokens['alice']!, keys.alice, 'pat-alice');
      await claimStore(gateway.baseUrl, tokens['bob']!, keys.bob, 'pat-bob');
      drChen = await granteeByReference(gateway.baseUrl, tokens['alice']!, `user:${users.find((u) => u.username === 'dr.chen')!.id}`);
    });
    afterAll(async () => {
      await gateway?.close();
      await drop();
    });

    it('describes $diagnose in the CapabilityStatement and serves its OperationDefinition', async () => {
      const metadata = (await (await fetch(`${gateway.baseUrl}/fhir/metadata`)).json()) as { rest: { resource: { type: string; operation?: { name: string; definition: string }[] }[] }[] };
      const definition = `${gateway.baseUrl}/fhir/OperationDefinition/Patient-diagnose`;
      expect(metadata.rest[0]!.resource.find((r) => r.type === 'Patient')!.operation).toEqual([{ name: 'diagnose', definition }]);
      // Public, like the CapabilityStatement: no token.
      const op = (await (await fetch(definition, { headers: { accept: 'application/fhir+json' } })).json()) as { url: string; code: string; resource: string[]; instance: boolean; parameter: { name: string; use: string; min: number }[] };
      expect([op.url, op.code, op.resource, op.instance]).toEqual([definition, 'diagnose', ['Patient'], true]);
      expect(op.parameter.map((p) => `${p.use}:${p.name}:${p.min}`)).toEqual(['in:model:1', 'in:version:0', 'in:consent:0', 'out:riskAssessment:1', 'out:provenance:1', 'out:explanation:1', 'out:warning:0', 'out:receipt:1', 'out:audit:0']);
    });

    it('answers 404 to a clinician without any consent from the patient, and logs the denial', async () => {
      const failure = await failureOf(diagnose('dr.chen', 'pat-alice', { model: 'ascvd-pce' }));
      expect(failure).toEqual({ status: 404, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/pat-alice is not known' }] } });
    });

    it('answers 403 under a TREATMENT-only consent, naming what is missing', async () => {
      const treatment = await grantConsent(gateway.baseUrl, tokens['alice']!, keys.alice, { granteeId: drChen, purpose: 'TREATMENT', compartments: ['vitals'], durationDays: 30 });
      const failure = await failureOf(diagnose('dr.chen', 'pat-alice', { model: 'ascvd-pce' }));
      expect(failure).toEqual({ status: 403, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'no live DIAGNOSIS consent from Patient/pat-alice names you as grantee; the patient can grant one in the patient portal' }] } });
      await revokeConsent(gateway.baseUrl, tokens['alice']!, keys.alice, treatment.id);
    });

    it('runs the Pooled Cohort Equations under a DIAGNOSIS consent, decrypting only the records the data contract names', async () => {
      consent = await grantConsent(gateway.baseUrl, tokens['alice']!, keys.alice, { granteeId: drChen, purpose: 'DIAGNOSIS', compartments: ['demographics', 'vitals', 'labs', 'conditions', 'medications', 'ai-results'], models: ['ascvd-pce', 'egfr-ckd-epi@2009'], durationDays: 30 });
      const mark = log.lines.length;
      const out = await diagnose('dr.chen', 'pat-alice', { model: 'ascvd-pce' });
      const opened = log.openedSince(mark);

      // Only records the contract names were opened: the patient, cholesterol, HDL, blood pressure and smoking status
      // (every candidate inside each lookback, newest first); conditions and medications matched no blind-index token.
      expect(new Set(opened)).toEqual(new Set([rec['alice'], rec['tcOld'], rec['tc'], rec['tcPreliminary'], rec['hdlOld'], rec['hdl'], rec['bpOld'], rec['bp'], rec['smoking']].map((r) => ref(r!))));
      for (const outside of ['heartRate', 'hba1c', 'hypertension', 'statin', 'note', 'creatinineAlice']) expect(opened.some((o) => o.startsWith(`${rec[outside]!.resourceType}/${rec[outside]!.id}/`))).toBe(false);

      const risk = param(out, 'riskAssessment')!.resource as { id: string; basis: { reference: string }[]; prediction: { probabilityDecimal: number; qualitativeRisk?: { text: string } }[]; subject: { reference: string }; method: { coding: { code: string }[] } };
      const expected = pooledCohortRisk({ age: 55, male: false, black: false, tc: 213, hdl: 50, sbp: 150, treated: false, smoker: true, diabetes: false });
      expect(risk.subject).toEqual({ reference: 'Patient/pat-alice' });
      expect(risk.method.coding[0]!.code).toBe('ascvd-pce@2013');
      expect(risk.basis.map((b) => b.reference).sort()).toEqual([rec['alice'], rec['tc'], rec['hdl'], rec['bp'], rec['smoking']].map((r) => ref(r!)).sort());
      expect(risk.prediction[0]!.probabilityDecimal).toBeCloseTo(expected, 9);

      const explanation = JSON.parse(part(out, 'explanation', 'document')!.valueString!) as { method: string; features: string[]; values: number[]; attributions: number[]; prediction: number; referencePrediction: number };
      expect(explanation.method).toBe('exact');
      expect(explanation.values).toEqual([55, 0, 0, 213, 50, 150, 0, 1, 0]);
      const sum = explanation.attributions.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(explanation.prediction - explanation.referencePrediction, 8);
      expect(explanation.referencePrediction).toBeCloseTo(pooledCohortRisk({ age: 55, male: false, black: false, tc: 213, hdl: 50, sbp: 120, treated: false, smoker: false, diabetes: false }), 9);
      // Features at their reference value get exactly 0 (dummy property); smoking and blood pressure raised the risk.
      expect(explanation.attributions.map((a, i) => (a === 0 ? 0 : Math.sign(a)) * (explanation.values[i] === [55, 0, 0, 213, 50, 120, 0, 0, 0][i] ? 0 : 1))).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0]);
      expect(part(out, 'explanation', 'summary')!.valueString).toMatch(/^10-year ASCVD risk /);
      expect(out.parameter.filter((p) => p.name === 'warning')).toEqual([]);

      const receipt = JSON.parse(part(out, 'receipt', 'json')!.valueString!) as { consentId: string; model: { id: string; version: string; sha256: string }; inputs: { reference: string; sha256: string }[]; riskAssessment: string };
      const card = JSON.parse(readFileSync(join(gateway.config.inference.modelsDir, 'ascvd-pce', '2013', 'card.json'), 'utf8')) as { sha256: string };
      expect(receipt.consentId).toBe(consent.id);
      expect(receipt.model).toEqual({ id: 'ascvd-pce', version: '2013', sha256: card.sha256 });
      expect(receipt.inputs.map((i) => i.reference).sort()).toEqual(risk.basis.map((b) => b.reference).sort());
      expect(receipt.riskAssessment).toBe(`RiskAssessment/${risk.id}/_history/1`);
    });

    it('gives the same result through GraphQL, with the inputs as used (mmol/L converted, dates) and the contributions', async () => {
      const { data } = await request('dr.chen', { patientId: 'pat-alice', model: 'ascvd-pce' });
      const d = data!.requestDiagnosis;
      expect(d.modelVersion).toBe('2013');
      expect(d.inputs.map((i) => [i.name, i.value, i.reference, i.recordedValue, i.recordedUnit])).toEqual([
        ['age', 55, ref(rec['alice']!), null, null],
        ['male', 0, ref(rec['alice']!), null, null],
        ['black', 0, ref(rec['alice']!), null, null],
        ['totalCholesterol', 213, ref(rec['tc']!), 5.51, 'mmol/L'],
        ['hdlCholesterol', 50, ref(rec['hdl']!), null, null],
        ['systolicBp', 150, ref(rec['bp']!), null, null],
        ['bpTreated', 0, null, null, null],
        ['smoker', 1, ref(rec['smoking']!), null, null],
        ['diabetes', 0, null, null, null],
      ]);
      const expected = pooledCohortRisk({ age: 55, male: false, black: false, tc: 213, hdl: 50, sbp: 150, treated: false, smoker: true, diabetes: false });
      expect(d.outputs[0]!.value).toBe(Math.round(expected * 1000) / 10);
      const total = d.explanation.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(total).toBeCloseTo(d.explanation.prediction - d.explanation.referencePrediction, 6);
      expect(d.explanation.contributions.slice(0, 2).map((c) => [c.feature, c.direction])).toEqual([
        ['smoker', 'raised'],
        ['systolicBp', 'raised'],
      ]);
    });

    it('refuses a model the consent does not cover, an unknown model and a malformed Parameters body, each with a clear 4xx', async () => {
      expect(await failureOf(diagnose('dr.chen', 'pat-alice', { model: 'wdbc-malignancy' }))).toEqual({
        status: 403,
        data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: "the patient's DIAGNOSIS consent does not cover wdbc-malignancy (covered: ascvd-pce, egfr-ckd-epi@2009)" }] },
      });
      const unknown = await failureOf(diagnose('dr.chen', 'pat-alice', { model: 'no-such-model' }));
      expect(unknown.status).toBe(400);
      expect(JSON.stringify(unknown.data)).toContain('model: no-such-model is not a model this gateway runs (available: ascvd-pce, egfr-ckd-epi, wdbc-malignancy)');
      const bad = await failureOf(clients['dr.chen']!.operation({ name: '$diagnose', resourceType: 'Patient', id: 'pat-alice', input: { resourceType: 'Parameters', parameter: [{ name: 'modell', valueString: 'ascvd-pce' }] } }));
      expect(bad).toEqual({ status: 400, data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Parameters.parameter[0].name: expected model, version or consent', expression: ['Parameters.parameter[0].name'] }] } });
      for (const who of ['alice', 'dr.patel']) expect((await failureOf(diagnose(who, 'pat-alice', { model: 'ascvd-pce' }))).status).toBe(who === 'alice' ? 403 : 404);
    });

    it('runs the version a consent pins (CKD-EPI 2009), and a version-free consent runs the newest (2021)', async () => {
      const pinned = await diagnose('dr.chen', 'pat-alice', { model: 'egfr-ckd-epi' });
      const ra = param(pinned, 'riskAssessment')!.resource as { method: { coding: { code: string }[] } };
      expect(ra.method.coding[0]!.code).toBe('egfr-ckd-epi@2009');
      const doc = JSON.parse(part(pinned, 'explanation', 'document')!.valueString!) as { prediction: number };
      expect(doc.prediction).toBeCloseTo(ckdEpi('2009', 0.9, 55, true, false), 8);
      // The race question under 2009: a White patient gets the non-Black coefficient without a warning.
      expect(pinned.parameter.filter((p) => p.name === 'warning')).toEqual([]);
      expect(await failureOf(diagnose('dr.chen', 'pat-alice', { model: 'egfr-ckd-epi', version: '2021' }))).toEqual({
        status: 403,
        data: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: "the patient's DIAGNOSIS consent does not cover egfr-ckd-epi@2021 (covered: ascvd-pce, egfr-ckd-epi@2009)" }] },
      });

      const bobConsent = await grantConsent(gateway.baseUrl, tokens['bob']!, keys.bob, { granteeId: drChen, purpose: 'DIAGNOSIS', compartments: ['demographics', 'vitals', 'labs', 'conditions', 'medications', 'ai-results'], models: ['egfr-ckd-epi', 'ascvd-pce'], durationDays: 30 });
      const { data } = await request('dr.chen', { patientId: 'pat-bob', model: 'egfr-ckd-epi' });
      const d = data!.requestDiagnosis;
      expect(d.consentId).toBe(bobConsent.id);
      expect(d.modelVersion).toBe('2021');
      // 132.6 umol/L ÷ 88.4 = 1.50 mg/dL.
      expect(d.inputs.find((i) => i.name === 'creatinine')).toMatchObject({ value: 1.5, recordedValue: 132.6, recordedUnit: 'umol/L', reference: ref(rec['bobCreatinine']!) });
      expect(d.outputs[0]!.raw).toBeCloseTo(ckdEpi('2021', 1.5, 68, false, false), 8);
      expect(d.outputs[1]!).toMatchObject({ name: 'stage', display: 'G3a' });
      const older = (await request('dr.chen', { patientId: 'pat-bob', model: 'egfr-ckd-epi', version: '2009' })).data!.requestDiagnosis;
      expect(older.outputs[0]!.raw).toBeCloseTo(ckdEpi('2009', 1.5, 68, false, true), 8);
    });

    it('runs the learned classifier (30 features) under a second consent, explained by sampled permutations with a stated bound', async () => {
      const dir = join(gateway.config.inference.modelsDir, 'wdbc-malignancy', '1.0.0');
      const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as { inputs: { name: string; source: { component: { system: string; code: string } } }[] };
      const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { cases: { name: string; features: number[]; expected: { probability: number } }[] };
      const row = golden.cases.find((c) => c.name.startsWith('held-out row 135'))!;
      const hospital = fhirClient(gateway.baseUrl, tokens['hospital']!);
      const panel = (await hospital.create({
        resourceType: 'Observation',
        body: {
          resourceType: 'Observation',
          status: 'final',
          category: [{ coding: [{ system: CATEGORY, code: 'laboratory' }] }],
          code: { coding: [{ system: 'https://fhir-gateway.example/CodeSystem/fna-morphometry', code: 'fna-panel' }] },
          subject: { reference: 'Patient/pat-bob' },
          effectiveDateTime: daysAgo(3),
          component: card.inputs.map((input, i) => ({ code: { coding: [input.source.component] }, valueQuantity: { value: row.features[i], unit: '1', system: 'http://unitsofmeasure.org', code: '1' } })),
        },
      })) as unknown as StoredFhirResource;
      await grantConsent(gateway.baseUrl, tokens['bob']!, keys.bob, { granteeId: drChen, purpose: 'DIAGNOSIS', compartments: ['demographics', 'labs', 'ai-results'], models: ['wdbc-malignancy'], durationDays: 30 });
      const d = (await request('dr.chen', { patientId: 'pat-bob', model: 'wdbc-malignancy' })).data!.requestDiagnosis;
      expect(d.modelVersion).toBe('1.0.0');
      expect(d.inputs.every((i) => i.reference === ref(panel))).toBe(true);
      expect(d.inputs.map((i) => i.value)).toEqual(row.features);
      expect(d.outputs[0]!.raw).toBeCloseTo(row.expected.probability, 9);
      const doc = JSON.parse(d.explanation.document) as { method: string; attributions: number[]; prediction: number; referencePrediction: number; errorBound: number; permutations: number; seed: number };
      expect(doc.method).toBe('sampled-permutations');
      expect(d.explanation.method).toBe('sampled-permutations');
      expect(doc.permutations).toBeGreaterThanOrEqual(1000);
      expect(doc.errorBound).toBeGreaterThan(0);
      expect(d.explanation.errorBound).toBeCloseTo(doc.errorBound * 100, 6);
      // Efficiency holds exactly for every permutation, hence for their mean.
      expect(doc.attributions.reduce((a, b) => a + b, 0)).toBeCloseTo(doc.prediction - doc.referencePrediction, 8);
      // Reproducible: the same inputs give the same seed, the same attributions and the same explanation hash.
      const again = (await request('dr.chen', { patientId: 'pat-bob', model: 'wdbc-malignancy' })).data!.requestDiagnosis;
      expect(again.explanation.sha256).toBe(d.explanation.sha256);
    });

    it('refuses missing and out-of-range inputs with one OperationOutcome issue each, writing nothing', async () => {
      const before = (await graphqlOk<{ diagnoses: { id: string }[] }>(gateway.baseUrl, tokens['dr.chen']!, '{ diagnoses(patientId: "pat-bob") { id } }')).diagnoses.length;
      const failure = await failureOf(diagnose('dr.chen', 'pat-bob', { model: 'ascvd-pce' }));
      expect(failure.status).toBe(422);
      const issues = (failure.data as { issue: { code: string; diagnostics: string; expression?: string[] }[] }).issue;
      expect(issues.map((i) => [i.code, i.expression?.[0] ?? null])).toEqual([
        ['processing', null],
        ['required', 'model.inputs.hdlCholesterol'],
        ['value', 'model.inputs.systolicBp'],
      ]);
      expect(issues[0]!.diagnostics).toBe('ascvd-pce@2013 was not run: 2 of its 9 inputs are missing or out of range');
      expect(issues[1]!.diagnostics).toBe('HDL cholesterol: no final Observation with LOINC 2085-9 (mg/dL) or LOINC 14646-4 (mmol/L) in the last 730 days');
      expect(issues[2]!.diagnostics).toBe(`systolic blood pressure (${ref(rec['bobBp']!)}): outside the range the model was validated for (90 to 200 mmHg); the model is not run outside it`);
      // No value appears in the refusal.
      expect(JSON.stringify(failure.data)).not.toMatch(/\b210\b/);
      const after = (await graphqlOk<{ diagnoses: { id: string }[] }>(gateway.baseUrl, tokens['dr.chen']!, '{ diagnoses(patientId: "pat-bob") { id } }')).diagnoses.length;
      expect(after).toBe(before);
    });

    it('records accept and override on the result (a new RiskAssessment version), refusing an override without a reason', async () => {
      const { data } = await request('dr.chen', { patientId: 'pat-alice', model: 'ascvd-pce' });
      const id = data!.requestDiagnosis.id;
      const feedback = (input: Record<string, unknown>) => graphql<{ diagnosisFeedback: DiagnosisView }>(gateway.baseUrl, tokens['dr.chen']!, `mutation($input: DiagnosisFeedbackInput!) { diagnosisFeedback(input: $input) { ${DIAGNOSIS_FIELDS} } }`, { input });
      const noReason = await feedback({ diagnosisId: id, decision: 'overridden', reason: '   ' });
      expect(noReason.errors?.map((e) => [e.message, e.extensions?.['code']])).toEqual([['reason: an override needs a reason', 'BAD_USER_INPUT']]);
      const overridden = (await feedback({ diagnosisId: id, decision: 'overridden', reason: 'Family history of premature ASCVD not captured by the equations' })).data!.diagnosisFeedback;
      expect(overridden.feedback).toEqual({ decision: 'overridden', reason: 'Family history of premature ASCVD not captured by the equations', author: 'dr.chen', at: expect.any(String) });
      const read = (await graphqlOk<{ diagnosis: DiagnosisView }>(gateway.baseUrl, tokens['dr.chen']!, `query($id: String!) { diagnosis(id: $id) { ${DIAGNOSIS_FIELDS} } }`, { id })).diagnosis;
      expect(read.feedback?.decision).toBe('overridden');
      expect(read.riskAssessment).toBe(`RiskAssessment/${id}/_history/1`);
      // Another clinician cannot see or touch it.
      const other = await graphql(gateway.baseUrl, tokens['dr.patel']!, `query($id: String!) { diagnosis(id: $id) { id } }`, { id });
      expect(other.errors?.map((e) => e.extensions?.['code'])).toEqual(['NOT_FOUND']);
    });

    it('logs every diagnosis and refusal on the patient’s access timeline, and keeps results out of the database and logs in plaintext', async () => {
      const { accessTimeline } = await graphqlOk<{ accessTimeline: { interaction: string; outcome: string; consentId: string | null; actor: string }[] }>(gateway.baseUrl, tokens['alice']!, '{ accessTimeline { interaction outcome consentId actor } }');
      const diagnoses = accessTimeline.filter((e) => e.interaction === 'diagnose' || e.interaction.startsWith('diagnosis-'));
      // Allowed: the PCE by REST and by GraphQL, CKD-EPI 2009, the PCE that got the override. Denied: no consent (404),
      // TREATMENT only, a model outside the scope, dr.patel (404), a version outside the pin.
      expect(diagnoses.filter((e) => e.outcome === 'allowed' && e.interaction === 'diagnose').length).toBe(4);
      expect(diagnoses.filter((e) => e.outcome === 'denied').map((e) => e.actor).sort()).toEqual(['dr.chen', 'dr.chen', 'dr.chen', 'dr.chen', 'dr.patel']);
      expect(diagnoses.find((e) => e.interaction === 'diagnosis-override')).toMatchObject({ outcome: 'allowed', consentId: consent.id, actor: 'dr.chen' });

      const { data } = await request('dr.chen', { patientId: 'pat-alice', model: 'ascvd-pce' });
      const summary = data!.requestDiagnosis.explanation.summary;
      const secrets = [summary, 'Family history of premature ASCVD', data!.requestDiagnosis.outputs[0]!.display];
      const files = ['gateway.sqlite', 'gateway.sqlite-wal'].map((f) => join(gateway.dataDir, f));
      for (const file of files) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          continue;
        }
        for (const secret of secrets) expect(bytes.includes(Buffer.from(secret, 'utf8'))).toBe(false);
      }
      const logged = log.lines.join('\n');
      for (const secret of secrets) expect(logged.includes(secret)).toBe(false);
    });

    it('stops at once when the patient revokes the consent: the next $diagnose is 404', async () => {
      await revokeConsent(gateway.baseUrl, tokens['alice']!, keys.alice, consent.id);
      expect((await failureOf(diagnose('dr.chen', 'pat-alice', { model: 'ascvd-pce' }))).status).toBe(404);
    });
  });
}

diagnoseSuite('$diagnose: consent-gated, minimal-access, explained inference (SQLite, real anvil, real tokens, onnxruntime-node)', async () => ({}));

let postgres: TestDatabase | undefined;
describePostgres('$diagnose on PostgreSQL', () => {
  diagnoseSuite(
    '$diagnose: the same on PostgreSQL',
    async () => {
      postgres = await createTestDatabase();
      return { DATABASE_URL: postgres.url };
    },
    async () => postgres?.drop(),
  );
});
