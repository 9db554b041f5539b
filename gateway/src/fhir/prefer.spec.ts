import { parsePrefer } from './prefer.js';

describe('reading the Prefer header (RFC 7240; FHIR R4 http.html#ops, search.html#errors)', () => {
  it('defaults to return=representation and handling=lenient', () => {
    expect(parsePrefer(undefined)).toEqual({ return: 'representation', handling: 'lenient' });
  });

  it.each([
    ['return=minimal', { return: 'minimal', handling: 'lenient' }],
    ['return=OperationOutcome', { return: 'OperationOutcome', handling: 'lenient' }],
    ['handling=strict', { return: 'representation', handling: 'strict' }],
    ['return=minimal, handling=strict', { return: 'minimal', handling: 'strict' }],
    [['handling=strict', 'return="minimal"'], { return: 'minimal', handling: 'strict' }],
    ['respond-async, wait=10, return=bogus', { return: 'representation', handling: 'lenient' }],
  ])('reads %j', (header, expected) => {
    expect(parsePrefer(header)).toEqual(expected);
  });
});
