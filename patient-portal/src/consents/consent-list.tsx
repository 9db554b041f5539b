import { Notice, type Problem, toProblem } from '@web';
import { useState } from 'react';
import type { PatientKeys } from '../../../gateway/src/crypto/index.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import type { Consent } from './consent-api.js';
import { useConsentData } from './consent-data.js';
import { revokeConsent } from './consent-flow.js';
import { compartmentList, date, dateTime, purposeLabel, short, statusLabel } from './format.js';

/** A transaction and its block, shortened; the full hash is in the title. */
function OnChain({ tx, block, testId }: { tx: string | null; block: number | null; testId: string }) {
  if (!tx) return <span className="muted">not yet mined</span>;
  return (
    <span className="mono" title={tx} data-testid={testId} data-tx={tx} data-block={block ?? ''}>
      {short(tx)}
      {block !== null && ` · block ${block}`}
    </span>
  );
}

/** The row's revoke control: a button, then a confirmation that says what signing means. */
function RevokeControl({ consent, keys, busy, onRevoke }: { consent: Consent; keys: PatientKeys | null; busy: boolean; onRevoke: () => void }) {
  const [asking, setAsking] = useState(false);
  if (consent.status !== 'active') return null;
  if (!keys) return <span className="muted">Unlock your records to revoke</span>;
  if (!asking) {
    return (
      <button type="button" className="button" disabled={busy} onClick={() => setAsking(true)} data-testid={`consent-revoke-${consent.id}`}>
        Revoke
      </button>
    );
  }
  return (
    <div className="revoke-confirm" role="group" aria-label={`Revoke the consent for ${consent.grantee.name}`}>
      <p>This browser signs a revocation; once it is on-chain, {consent.grantee.name} can no longer open these records and the gateway deletes the keys you released. It cannot be undone.</p>
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          onClick={() => {
            setAsking(false);
            onRevoke();
          }}
          data-testid={`consent-revoke-confirm-${consent.id}`}
        >
          Sign and revoke
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setAsking(false)} data-testid={`consent-revoke-cancel-${consent.id}`}>
          Keep it
        </button>
      </div>
    </div>
  );
}

/**
 * The patient's consents (`myConsents`) as a table, newest first as the gateway sends them, with a Revoke button per
 * active consent (signed in this browser; the row then shows the revocation's transaction).
 */
export function ConsentList({ consents, keys }: { consents: readonly Consent[]; keys: PatientKeys | null }) {
  const { api, reload, upsert } = useConsentData();
  const [step, setStep] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function revoke(consent: Consent) {
    if (!keys) return;
    setProblem(null);
    try {
      upsert(await revokeConsent(api, consent.id, keys, setStep));
      reload(['consents', 'emergencies', 'timeline']);
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setStep(null);
    }
  }

  if (consents.length === 0) {
    return (
      <p className="muted" data-testid="consent-list-empty">
        You have not granted any consent yet: nobody but you can open your records.
      </p>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table className="consents" data-testid="consent-list">
          <caption className="visually-hidden">Your consents</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">What for</th>
              <th scope="col">Records</th>
              <th scope="col">Window</th>
              <th scope="col">Status</th>
              <th scope="col">On-chain</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {consents.map((c) => (
              <tr key={c.id} data-testid={`consent-row-${c.id}`} data-consent-id={c.id} data-status={c.status} data-purpose={c.purpose}>
                <th scope="row">
                  <span data-testid={`consent-grantee-${c.id}`}>{c.grantee.name}</span>
                  <span className="muted consents__id" title={c.id}>
                    {short(c.id)}
                  </span>
                </th>
                <td>{purposeLabel(c.purpose)}</td>
                <td>
                  {compartmentList(c.compartments)}
                  {c.models.length > 0 && <span className="muted consents__models">Models: {c.models.join(', ')}</span>}
                </td>
                <td>
                  <time dateTime={c.notBefore} title={dateTime(c.notBefore)}>
                    {date(c.notBefore)}
                  </time>{' '}
                  –{' '}
                  <time dateTime={c.notAfter} title={dateTime(c.notAfter)}>
                    {date(c.notAfter)}
                  </time>
                </td>
                <td>
                  <span className={`status status--${c.status}`} data-testid={`consent-status-${c.id}`} data-status={c.status}>
                    {statusLabel(c.status)}
                  </span>
                </td>
                <td>
                  <span className="consents__chain">
                    Granted: <OnChain tx={c.grantTransaction} block={c.grantBlock} testId={`consent-grant-tx-${c.id}`} />
                  </span>
                  {c.revokeTransaction && (
                    <span className="consents__chain">
                      Revoked: <OnChain tx={c.revokeTransaction} block={c.revokeBlock} testId={`consent-revoke-tx-${c.id}`} />
                    </span>
                  )}
                </td>
                <td>
                  <RevokeControl consent={c} keys={keys} busy={step !== null} onRevoke={() => void revoke(c)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {step !== null && <Notice kind="progress" title={step} testId="consent-revoke-progress" />}
      {problem && <ProblemNotice problem={problem} testId="consent-revoke-error" />}
    </>
  );
}
