import { OperationOutcomeError } from '../common/index.js';
import { auditParameter, diagnoseOperationDefinition, diagnoseParameters } from './diagnose-operation.js';

const refusal = (body: unknown): [number, string | undefined, string | undefined] => {
  try {
    diagnoseParameters(body);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return [error.status, error.outcome.issue[0]!.diagnostics, error.outcome.issue[0]!.expression?.[0]];
  }
  throw new Error('expected a refusal');
};

describe('$diagnose Parameters', () => {
  it('reads model, version and consent from valueString, valueCode or valueId', () => {
    expect(diagnoseParameters({ resourceType: 'Parameters', parameter: [{ name: 'model', valueString: 'ascvd-pce' }] })).toEqual({ model: 'ascvd-pce' });
    expect(
      diagnoseParameters({
        resourceType: 'Parameters',
        parameter: [
          { name: 'consent', valueId: 'abc' },
          { name: 'version', valueCode: '2009' },
          { name: 'model', valueString: 'egfr-ckd-epi' },
        ],
      }),
    ).toEqual({ model: 'egfr-ckd-epi', version: '2009', consent: 'abc' });
  });

  it('refuses every malformed body with a 400 naming the element, never echoing a value', () => {
    expect(refusal(undefined)).toEqual([400, 'expected a Parameters resource with a "model" parameter', 'Parameters']);
    expect(refusal([])).toEqual([400, 'expected a Parameters resource with a "model" parameter', 'Parameters']);
    expect(refusal({ resourceType: 'Patient' })).toEqual([400, 'expected a Parameters resource with a "model" parameter', 'Parameters']);
    expect(refusal({ resourceType: 'Parameters' })).toEqual([400, 'Parameters: expected a "model" parameter (e.g. ascvd-pce)', 'Parameters.parameter']);
    expect(refusal({ resourceType: 'Parameters', parameter: {} })).toEqual([400, 'Parameters.parameter: expected an array', 'Parameters.parameter']);
    expect(refusal({ resourceType: 'Parameters', parameter: [null] })).toEqual([400, 'Parameters.parameter[0]: expected an object', 'Parameters.parameter[0]']);
    expect(refusal({ resourceType: 'Parameters', parameter: [{ name: '__proto__', valueString: 'x' }] })).toEqual([400, 'Parameters.parameter[0].name: expected model, version or consent', 'Parameters.parameter[0].name']);
    expect(refusal({ resourceType: 'Parameters', parameter: [{ name: 'model', valueInteger: 3 }] })).toEqual([400, 'Parameters.parameter[0] (model): expected a valueString of 1 to 200 characters', 'Parameters.parameter[0].value[x]']);
    expect(refusal({ resourceType: 'Parameters', parameter: [{ name: 'model', valueString: 'x'.repeat(201) }] })).toEqual([400, 'Parameters.parameter[0] (model): expected a valueString of 1 to 200 characters', 'Parameters.parameter[0].value[x]']);
    expect(
      refusal({
        resourceType: 'Parameters',
        parameter: [
          { name: 'model', valueString: 'a' },
          { name: 'model', valueString: 'b' },
        ],
      }),
    ).toEqual([400, 'Parameters: model appears more than once', 'Parameters.parameter[1]']);
  });

  it('defines the operation on Patient instances with its in and out parameters', () => {
    const definition = diagnoseOperationDefinition('https://fhir.example.org/fhir') as { url: string; code: string; instance: boolean; parameter: { name: string; use: string }[] };
    expect(definition.url).toBe('https://fhir.example.org/fhir/OperationDefinition/Patient-diagnose');
    expect([definition.code, definition.instance]).toEqual(['diagnose', true]);
    expect(definition.parameter.filter((p) => p.use === 'in').map((p) => p.name)).toEqual(['model', 'version', 'consent']);
    expect(definition.parameter.filter((p) => p.use === 'out').map((p) => p.name)).toEqual(['riskAssessment', 'provenance', 'explanation', 'warning', 'receipt', 'audit']);
  });

  it('defines the audit receipt part: the leaf, and once anchored the anchor and the inclusion proof', () => {
    const definition = diagnoseOperationDefinition('https://fhir.example.org/fhir') as { parameter: { name: string; min: number; max: string; part?: { name: string; type?: string; max: string; part?: { name: string; type: string }[] }[] }[] };
    const audit = definition.parameter.find((p) => p.name === 'audit')!;
    expect([audit.min, audit.max]).toEqual([0, '1']);
    expect(audit.part!.map((p) => [p.name, p.type ?? null, p.max])).toEqual([
      ['leafIndex', 'integer', '1'],
      ['leafHash', 'string', '1'],
      ['anchor', null, '1'],
      ['inclusionProof', 'string', '*'],
    ]);
    expect(audit.part![2]!.part!.map((p) => [p.name, p.type])).toEqual([
      ['treeSize', 'integer'],
      ['rootHash', 'string'],
      ['transactionHash', 'string'],
      ['blockNumber', 'integer'],
      ['anchoredAt', 'instant'],
    ]);
  });

  it('presents a receipt before anchoring as its leaf only, and after anchoring with the anchor and the proof in order', () => {
    expect(auditParameter({ leafIndex: 4, leafHash: 'ab'.repeat(32) })).toEqual({
      name: 'audit',
      part: [
        { name: 'leafIndex', valueInteger: 4 },
        { name: 'leafHash', valueString: 'ab'.repeat(32) },
      ],
    });
    const anchor = { index: 0, treeSize: 6, rootHash: `0x${'cd'.repeat(32)}`, transactionHash: `0x${'ef'.repeat(32)}`, blockNumber: 12, anchoredAt: '2025-05-01T08:00:00.000Z' };
    expect(auditParameter({ leafIndex: 4, leafHash: 'ab'.repeat(32), anchor, inclusionProof: ['01'.repeat(32), '02'.repeat(32)] })).toEqual({
      name: 'audit',
      part: [
        { name: 'leafIndex', valueInteger: 4 },
        { name: 'leafHash', valueString: 'ab'.repeat(32) },
        {
          name: 'anchor',
          part: [
            { name: 'treeSize', valueInteger: 6 },
            { name: 'rootHash', valueString: anchor.rootHash },
            { name: 'transactionHash', valueString: anchor.transactionHash },
            { name: 'blockNumber', valueInteger: 12 },
            { name: 'anchoredAt', valueInstant: anchor.anchoredAt },
          ],
        },
        { name: 'inclusionProof', valueString: '01'.repeat(32) },
        { name: 'inclusionProof', valueString: '02'.repeat(32) },
      ],
    });
  });
});
