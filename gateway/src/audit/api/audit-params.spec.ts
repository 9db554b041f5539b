import { OperationOutcomeError } from '../../common/index.js';
import { entryQuery, integerParam, queryOf, windowParams } from './audit-params.js';

const refusal = (run: () => unknown): [number, string | undefined, string | undefined] => {
  try {
    run();
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return [error.status, error.outcome.issue[0]!.diagnostics, error.outcome.issue[0]!.expression?.[0]];
  }
  throw new Error('expected a refusal');
};

describe('the regulator API’s query parameters', () => {
  it('reads every filter of GET /audit/entries, with the defaults limit 100 and order asc', () => {
    expect(entryQuery({})).toEqual({ filter: {}, page: { limit: 100, order: 'asc' } });
    expect(
      entryQuery({
        after: '41',
        limit: '1000',
        order: 'desc',
        from: '2025-01-01',
        to: '2025-01-02T00:00:00.000Z',
        purpose: 'TREATMENT',
        model: 'egfr-ckd-epi@2009',
        actor: `0x${'ab'.repeat(32)}`,
        patient: 'cd'.repeat(16),
        outcome: 'denied',
        action: 'diagnosis-override',
      }),
    ).toEqual({
      filter: {
        from: Date.UTC(2025, 0, 1),
        to: Date.UTC(2025, 0, 2),
        purpose: 'TREATMENT',
        model: { id: 'egfr-ckd-epi', version: '2009' },
        actor: `0x${'ab'.repeat(32)}`,
        patient: 'cd'.repeat(16),
        outcome: 'denied',
        action: 'diagnosis-override',
      },
      page: { after: 41, limit: 1000, order: 'desc' },
    });
    expect(entryQuery({ model: 'ascvd-pce' }).filter.model).toEqual({ id: 'ascvd-pce' });
  });

  it.each([
    [{ limit: '0' }, 'limit: expected a whole number from 1 to 1000, got "0"', 'limit'],
    [{ limit: '1001' }, 'limit: expected a whole number from 1 to 1000, got "1001"', 'limit'],
    [{ limit: '2.5' }, 'limit: expected a whole number from 1 to 1000, got "2.5"', 'limit'],
    [{ after: '-1' }, 'after: expected a whole number from 0 to 9007199254740991, got "-1"', 'after'],
    [{ order: 'random' }, 'order: expected one of asc, desc, got "random"', 'order'],
    [{ from: 'yesterday' }, 'from: expected an ISO 8601 date or date-time with a time zone (e.g. 2025-01-31T12:00:00Z), got "yesterday"', 'from'],
    [{ to: '2025-01-01T10:00:00' }, 'to: expected an ISO 8601 date or date-time with a time zone (e.g. 2025-01-31T12:00:00Z), got "2025-01-01T10:00:00"', 'to'],
    [{ from: '2025-02-01', to: '2025-01-01' }, 'to: expected a time after from (2025-02-01T00:00:00.000Z), got 2025-01-01T00:00:00.000Z', 'to'],
    [{ purpose: 'treatment' }, 'purpose: expected one of TREATMENT, DIAGNOSIS, RESEARCH, EMERGENCY, got "treatment"', 'purpose'],
    [{ model: 'a_b%' }, 'model: expected a model id or id@version (letters, digits, "." and "-"), got "a_b%"', 'model'],
    [{ actor: '0xAB' }, 'actor: expected a pseudonym of 0x and 64 lowercase hex digits, got 4 other characters', 'actor'],
    [{ patient: 'pat-alice' }, 'patient: expected a pseudonym of 32 lowercase hex digits, got 9 other characters', 'patient'],
    [{ outcome: 'ok' }, 'outcome: expected one of allowed, denied, got "ok"', 'outcome'],
    [{ action: 'peek' }, 'action: expected one of read, vread, history, search, create, update, delete, consent-grant, consent-revoke, key-release, emergency, diagnose, diagnosis-accept, diagnosis-override, got "peek"', 'action'],
    [{ limit: ['1', '2'] }, 'limit: expected one value, got 2', 'limit'],
    [{ sort: 'at' }, 'sort: not a parameter of this endpoint (expected after, limit, order, from, to, purpose, model, actor, patient, outcome, action)', 'sort'],
  ])('refuses %j with a 400 naming the parameter', (query, diagnostics, expression) => {
    expect(refusal(() => entryQuery(query))).toEqual([400, diagnostics, expression]);
  });

  it('never quotes more than 40 characters of a value back', () => {
    expect(refusal(() => integerParam('treeSize', 'x'.repeat(100), 1, 5))).toEqual([400, `treeSize: expected a whole number from 1 to 5, got "${'x'.repeat(40)}…"`, 'treeSize']);
  });

  it('reads a time window and refuses parameters an endpoint does not take', () => {
    expect(windowParams({ from: '2025-01-01T00:00:00+01:00' })).toEqual({ from: Date.UTC(2024, 11, 31, 23) });
    expect(refusal(() => queryOf({ leafIndex: '1' }, []))).toEqual([400, 'leafIndex: not a parameter of this endpoint (expected )', 'leafIndex']);
  });
});
