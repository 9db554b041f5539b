import { loadFhirDefinitions } from '../common/index.js';
import { requiredBindingIssues } from './required-bindings.js';

describe('required terminology bindings of code elements (FHIR R4 terminologies.html#required)', () => {
  beforeAll(() => loadFhirDefinitions());

  it('accepts codes from their value sets, and codes whose value set cannot be enumerated here (MIME types)', () => {
    expect(
      requiredBindingIssues({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Hb' },
        valueQuantity: { value: 1, comparator: '<' },
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
      }),
    ).toEqual([]);
    expect(requiredBindingIssues({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/x-anything' } }] })).toEqual([]);
  });

  it('names the element and the value set of every code outside it, never the code', () => {
    const issues = requiredBindingIssues({
      resourceType: 'Observation',
      status: 'SECRET-status',
      code: { text: 'Hb' },
      valueQuantity: { value: 1, comparator: '~' },
      contained: [{ resourceType: 'Patient', id: 'p', gender: 'SECRET' }],
    });
    expect(issues).toEqual([
      { severity: 'error', code: 'value', diagnostics: 'Value is not in the required value set http://hl7.org/fhir/ValueSet/administrative-gender', expression: ['Observation.contained[0].gender'] },
      { severity: 'error', code: 'value', diagnostics: 'Value is not in the required value set http://hl7.org/fhir/ValueSet/observation-status', expression: ['Observation.status'] },
      { severity: 'error', code: 'value', diagnostics: 'Value is not in the required value set http://hl7.org/fhir/ValueSet/quantity-comparator', expression: ['Observation.value[x].comparator'] },
    ]);
    expect(JSON.stringify(issues)).not.toContain('SECRET');
  });
});
