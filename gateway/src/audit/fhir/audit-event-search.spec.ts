import { OperationOutcomeError } from '../../common/index.js';
import { parseAuditEventSearch } from './audit-event-search.js';

const refusal = (entries: [string, string][], strict = false): [number, string | undefined, string | undefined] => {
  try {
    parseAuditEventSearch(entries, strict);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return [error.status, error.outcome.issue[0]!.diagnostics, error.outcome.issue[0]!.expression?.[0]];
  }
  throw new Error('expected a refusal');
};

describe('AuditEvent search parameters', () => {
  it('reads date ranges by their precision, outcome codes, agent and patient pseudonyms, _count and the cursor', () => {
    const actor = `0x${'1'.repeat(64)}`;
    expect(
      parseAuditEventSearch(
        [
          ['date', 'ge2025-01-01'],
          ['date', 'le2025-01-31T12:00Z'],
          ['outcome', 'http://hl7.org/fhir/audit-event-outcome|4'],
          ['agent', actor],
          ['patient', 'a'.repeat(32)],
          ['_count', '2'],
          ['_cursor', '17'],
          ['_format', 'json'],
        ],
        false,
      ),
    ).toEqual({
      filter: { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 0, 31, 12, 1), outcome: 'denied', actor, patient: 'a'.repeat(32) },
      count: 2,
      cursor: 17,
      used: [
        ['date', 'ge2025-01-01'],
        ['date', 'le2025-01-31T12:00Z'],
        ['outcome', 'http://hl7.org/fhir/audit-event-outcome|4'],
        ['agent', actor],
        ['patient', 'a'.repeat(32)],
        ['_count', '2'],
      ],
    });
    // eq (or no prefix) is the whole day; gt starts after it, lt ends before it.
    expect(parseAuditEventSearch([['date', '2025-03-04']], false).filter).toEqual({ from: Date.UTC(2025, 2, 4), to: Date.UTC(2025, 2, 5) });
    expect(parseAuditEventSearch([['date', 'gt2025-03-04T10:00:00Z'], ['date', 'lt2025-03-05']], false).filter).toEqual({ from: Date.UTC(2025, 2, 4, 10, 0, 1), to: Date.UTC(2025, 2, 5) });
    expect(parseAuditEventSearch([['outcome', '0']], false).filter).toEqual({ outcome: 'allowed' });
    expect(parseAuditEventSearch([], false)).toEqual({ filter: {}, count: 50, used: [] });
  });

  it('ignores unknown parameters unless the client asked for strict handling', () => {
    expect(parseAuditEventSearch([['subtype', 'read']], false)).toEqual({ filter: {}, count: 50, used: [] });
    expect(refusal([['subtype', 'read']], true)).toEqual([400, 'subtype: not a supported search parameter of AuditEvent (supported: _count, date, outcome, agent, patient)', 'subtype']);
  });

  it.each([
    [['_count', '0'], '_count: expected a whole number from 1 to 200, got "0"', '_count'],
    [['_count', '201'], '_count: expected a whole number from 1 to 200, got "201"', '_count'],
    [['date', 'ge2025-13-01'], 'date: expected [ge|gt|le|lt|eq] and a FHIR date or dateTime with a zone (e.g. ge2025-01-31 or le2025-01-31T12:00:00Z), got "2025-13-01"', 'date'],
    [['date', 'sa2025-01-01'], 'date: expected [ge|gt|le|lt|eq] and a FHIR date or dateTime with a zone (e.g. ge2025-01-31 or le2025-01-31T12:00:00Z), got "sa2025-01-01"', 'date'],
    [['outcome', '8'], 'outcome: expected 0 (allowed) or 4 (denied), got "8"', 'outcome'],
    [['agent', 'dr.chen'], 'agent: expected an actor pseudonym (0x and 64 lowercase hex digits), got 7 other characters', 'agent'],
    [['patient', 'Patient/pat-alice'], 'patient: expected a patient pseudonym (32 lowercase hex digits), got 17 other characters', 'patient'],
    [['_cursor', 'abc'], '_cursor: expected the cursor of a next link, got "abc"', '_cursor'],
  ] as [[string, string], string, string][])('refuses %j with a 400 naming the parameter', (entry, diagnostics, expression) => {
    expect(refusal([entry])).toEqual([400, diagnostics, expression]);
  });
});
