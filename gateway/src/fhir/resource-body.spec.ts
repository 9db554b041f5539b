import { loadFhirDefinitions, OperationOutcomeError } from '../common/index.js';
import { assertJsonShape } from './json-shape.js';
import { concreteExpression, forCreate, forUpdate, readResourceBody } from './resource-body.js';
import { outcomeOf } from './testing/outcome-of.js';

function issues(call: () => unknown): unknown {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return { status: error.status, issue: error.outcome.issue };
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

describe('reading a resource from a request body', () => {
  beforeAll(() => loadFhirDefinitions());

  it('returns a valid resource of the expected type', () => {
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'Hb' }, valueQuantity: { value: 13.2, unit: 'g/dL' } };
    expect(readResourceBody(observation, 'Observation')).toBe(observation);
  });

  it("answers Medplum's findings as 400 issues with the element path and the kind of problem, never the value", () => {
    const body = { resourceType: 'Observation', code: { text: 'Hb' }, valueQuantity: { value: 'SECRET-13.2' }, note: [{ text: 'ok' }, { text: 0 }] };
    const answer = issues(() => readResourceBody(body, 'Observation'));
    expect(answer).toEqual({
      status: 400,
      issue: [
        { severity: 'error', code: 'structure', diagnostics: 'Missing required property', expression: ['Observation.status'] },
        { severity: 'error', code: 'structure', diagnostics: 'Invalid JSON type: expected number, but got string', expression: ['Observation.valueQuantity.value'] },
        { severity: 'error', code: 'structure', diagnostics: 'Invalid JSON type: expected string, but got number', expression: ['Observation.note[1].text'] },
      ],
    });
    expect(JSON.stringify(answer)).not.toContain('SECRET');
  });

  it('names the element under the Bundle entry when it came in a Bundle, and drops Medplum diagnostics', () => {
    const body = { resourceType: 'Patient', extension: [{ url: 'http://example.org/x', valueString: 'a', extension: [{ url: 'y', valueString: 'b' }] }] };
    expect(issues(() => readResourceBody(body, 'Patient', 'Bundle.entry[3].resource'))).toEqual({
      status: 400,
      issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Constraint ext-1 not met: Must have either extensions or value[x], not both', expression: ['Bundle.entry[3].resource.extension[0]'] }],
    });
  });

  it.each([
    [[], '400 invalid: expected a JSON object holding a Observation resource @ Observation'],
    ['text', '400 invalid: expected a JSON object holding a Observation resource @ Observation'],
    [{ status: 'final' }, '400 invalid: resourceType: required, expected Observation @ Observation.resourceType'],
    [{ resourceType: 'Vitals' }, '400 invalid: resourceType: expected a FHIR R4 resource type (Observation) @ Observation.resourceType'],
    [{ resourceType: 'Condition' }, '400 invalid: resourceType: expected Observation (the type in the URL), got Condition @ Observation.resourceType'],
    [{ resourceType: 'Observation', status: 'final', code: { text: 'x' }, constructor: { prototype: {} } }, '400 invalid: Invalid additional property "constructor" @ Observation.constructor'],
    [{ resourceType: 'Observation', status: 'final', code: { text: 'x', toString: 'SECRET' } }, '400 invalid: Invalid additional property "toString" @ Observation.code.toString'],
  ])('refuses %j with %s', (body, expected) => {
    expect(outcomeOf(() => readResourceBody(body, 'Observation'))).toBe(expected);
  });

  it('refuses nesting deeper than 64 levels before validating, without overflowing the stack at any depth', () => {
    expect(outcomeOf(() => assertJsonShape(nested(64), 'Patient'))).toBe('ok');
    expect(outcomeOf(() => assertJsonShape(nested(65), 'Patient'))).toBe('400 invalid: nesting deeper than 64 levels is not accepted @ Patient');
    expect(outcomeOf(() => readResourceBody({ resourceType: 'Patient', extension: nested(200_000) }, 'Patient'))).toBe('400 invalid: nesting deeper than 64 levels is not accepted @ Patient');
  });

  it('drops the id and the server-kept meta of a resource to create, keeping profiles and tags', () => {
    const resource = { resourceType: 'Patient', id: 'client-chosen', meta: { versionId: '9', lastUpdated: '2020-01-01T00:00:00Z', profile: ['http://example.org/p'] }, gender: 'female' };
    expect(forCreate(resource)).toEqual({ resourceType: 'Patient', meta: { profile: ['http://example.org/p'] }, gender: 'female' });
    expect(forCreate({ resourceType: 'Patient', meta: { versionId: '1' } })).toEqual({ resourceType: 'Patient' });
  });

  it('requires the id of the URL in the body of an update', () => {
    expect(forUpdate({ resourceType: 'Patient', id: 'p1', meta: { versionId: '2' } }, 'p1')).toEqual({ resourceType: 'Patient', id: 'p1' });
    expect(outcomeOf(() => forUpdate({ resourceType: 'Patient' }, 'p1'))).toBe('400 invalid: id: required in the body of an update, and equal to the id in the URL @ Patient.id');
    expect(outcomeOf(() => forUpdate({ resourceType: 'Patient', id: 'p2' }, 'p1'))).toBe('400 invalid: id: the id in the body does not match the id in the URL @ Patient.id');
  });
});

describe('concreteExpression', () => {
  it('names the choice property the resource actually holds instead of the definition path', () => {
    const resource = { resourceType: 'Observation', valueQuantity: { value: 'x' }, component: [{ valueString: 1 }, { valueCodeableConcept: {} }], effectiveDateTime: 'x' };
    expect(concreteExpression('Observation.value[x].value', resource)).toBe('Observation.valueQuantity.value');
    expect(concreteExpression('Observation.component[1].value[x]', resource)).toBe('Observation.component[1].valueCodeableConcept');
    expect(concreteExpression('Observation.effective[x]', resource)).toBe('Observation.effectiveDateTime');
    expect(concreteExpression('Observation.status', resource)).toBe('Observation.status');
    expect(concreteExpression('Observation.onset[x]', resource)).toBe('Observation.onset[x]');
  });
});
