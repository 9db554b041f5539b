import { collectReferences, isPlaceholder, rewriteReferences } from './bundle-references.js';

const report = {
  resourceType: 'DiagnosticReport',
  status: 'final',
  code: { text: 'panel' },
  subject: { reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000001' },
  result: [{ reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000002' }, { reference: 'Observation/kept' }, { display: 'no reference' }],
  contained: [{ resourceType: 'Specimen', id: 'spec1', subject: { reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000001' } }],
  specimen: [{ reference: '#spec1' }],
  extension: [{ url: 'http://example.org/x', extension: [{ url: 'deep', valueReference: { reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000002' } }] }],
  identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000001' }],
};

const replacements = new Map([
  ['urn:uuid:8c2b7b77-0000-4000-8000-000000000001', 'Patient/p-new'],
  ['urn:uuid:8c2b7b77-0000-4000-8000-000000000002', 'Observation/o-new'],
]);

describe('finding and rewriting Reference.reference in Bundle entries (FHIR R4 http.html#trules)', () => {
  it('finds every reference string at any depth, in arrays, extensions and contained resources, with its path', () => {
    expect(collectReferences(report)).toEqual([
      { path: 'subject.reference', reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000001' },
      { path: 'result[0].reference', reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000002' },
      { path: 'result[1].reference', reference: 'Observation/kept' },
      { path: 'contained[0].subject.reference', reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000001' },
      { path: 'specimen[0].reference', reference: '#spec1' },
      { path: 'extension[0].extension[0].valueReference.reference', reference: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000002' },
    ]);
  });

  it('rewrites placeholders deep and in arrays, leaves local (#) and other references and non-reference strings alone', () => {
    const rewritten = rewriteReferences(report, replacements);
    expect(rewritten).toEqual({
      ...report,
      subject: { reference: 'Patient/p-new' },
      result: [{ reference: 'Observation/o-new' }, { reference: 'Observation/kept' }, { display: 'no reference' }],
      contained: [{ resourceType: 'Specimen', id: 'spec1', subject: { reference: 'Patient/p-new' } }],
      specimen: [{ reference: '#spec1' }],
      extension: [{ url: 'http://example.org/x', extension: [{ url: 'deep', valueReference: { reference: 'Observation/o-new' } }] }],
      identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:8c2b7b77-0000-4000-8000-000000000001' }],
    });
  });

  it('leaves the contained resources themselves as they are: ids, and references to them', () => {
    const rewritten = rewriteReferences(report, replacements);
    expect(rewritten.contained[0]!.id).toBe('spec1');
    expect(rewritten.specimen).toEqual([{ reference: '#spec1' }]);
  });

  it('returns a copy and never changes the resource it was given', () => {
    const before = JSON.stringify(report);
    rewriteReferences(report, replacements);
    expect(JSON.stringify(report)).toBe(before);
  });

  it('knows urn:uuid and urn:oid as placeholders, and nothing else', () => {
    expect(['urn:uuid:8c2b7b77-0000-4000-8000-000000000001', 'urn:oid:1.2.3', 'URN:UUID:x'].map(isPlaceholder)).toEqual([true, true, true]);
    expect(['Patient/1', '#x', 'https://fhir.example.org/fhir/Patient/1', 'urn:ietf:rfc:3986'].map(isPlaceholder)).toEqual([false, false, false, false]);
  });
});
