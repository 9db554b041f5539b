import type { Consent } from './consent-api.js';
import type { CheckedGrant } from './consent-signing.js';
import { compartmentList, dateTime, isoOf, purposeLabel, PURPOSE_HINTS, short } from './format.js';

/** What kind of grantee, after the name; the emergency grantee's name already says it. */
const KIND_LABELS: Readonly<Record<string, string>> = { clinician: ' (clinician)', organization: ' (organization)', emergency: '' };

/**
 * The summary of exactly what will be signed, read from the checked typed data (not from the form): who, why,
 * which records, which models, from when until when, and the on-chain fields themselves. `testIdPrefix` keeps the
 * grant and the break-glass reviews apart (`consent-summary`, `emergency-summary`).
 */
export function ConsentReview({ checked, busy, testIdPrefix, onSign, onBack }: { checked: CheckedGrant; busy: boolean; testIdPrefix: string; onSign: () => void; onBack: () => void }) {
  const { choice, typed, draft } = checked;
  const m = typed.message;
  const days = Math.round((m.notAfter - m.notBefore) / 86_400);
  return (
    <section className="review" aria-label="What you are about to sign" data-testid={`${testIdPrefix}-summary`}>
      <h4>Check what you are about to sign</h4>
      <p className="review__sentence" data-testid={`${testIdPrefix}-summary-text`}>
        You allow <strong data-testid={`${testIdPrefix}-summary-grantee`}>{choice.grantee.name}</strong>
        {KIND_LABELS[choice.grantee.kind] ?? ` (${choice.grantee.kind})`} to see these records of yours:{' '}
        <strong data-testid={`${testIdPrefix}-summary-compartments`}>{compartmentList(checked.compartments)}</strong>. Purpose:{' '}
        <strong data-testid={`${testIdPrefix}-summary-purpose`}>{purposeLabel(choice.purpose)}</strong>. From{' '}
        <time dateTime={isoOf(m.notBefore)}>{dateTime(isoOf(m.notBefore))}</time> until{' '}
        <time dateTime={isoOf(m.notAfter)} data-testid={`${testIdPrefix}-summary-until`}>
          {dateTime(isoOf(m.notAfter))}
        </time>{' '}
        ({days === 1 ? '1 day' : `${days} days`}), unless you revoke it sooner.
      </p>
      <p className="phrase-form__hint">{PURPOSE_HINTS[choice.purpose]}</p>
      <p data-testid={`${testIdPrefix}-summary-models`}>{checked.models.length === 0 ? 'No model may run on these records under this consent.' : `Models that may run on them: ${checked.models.join(', ')}.`}</p>
      <ul className="checklist">
        <li>
          This browser signs the consent with your own key (address <span className="mono">{short(m.patient)}</span>). The gateway sends it to the consent registry on the blockchain
          for you, so you need no wallet or fees. The registry then holds your address, the grantee, the purpose, the window and a hash of the list above: no health data.
        </li>
        <li>
          With it, this browser sends your keys for these {checked.compartments.length === 1 ? 'records' : `${checked.compartments.length} kinds of records`} only, sealed to the
          gateway’s release key and bound to this consent. The gateway uses them only while the consent is active on-chain, and deletes them when you revoke it or it ends. Your
          recovery phrase and your other keys stay here.
        </li>
      </ul>
      <details className="review__fields" data-testid={`${testIdPrefix}-summary-fields`}>
        <summary>The exact fields you sign (EIP-712)</summary>
        <dl className="facts">
          <dt>Registry</dt>
          <dd className="mono">
            {typed.domain.name} v{typed.domain.version} at {typed.domain.verifyingContract}, chain {typed.domain.chainId}
          </dd>
          <dt>Consent id</dt>
          <dd className="mono" data-testid={`${testIdPrefix}-summary-consent-id`}>
            {draft.consentId}
          </dd>
          <dt>Patient</dt>
          <dd className="mono">{m.patient}</dd>
          <dt>Grantee</dt>
          <dd className="mono">{m.grantee}</dd>
          <dt>Purpose</dt>
          <dd className="mono">
            {m.purpose} ({choice.purpose})
          </dd>
          <dt>Scope hash</dt>
          <dd className="mono">{m.scopeHash}</dd>
          <dt>Scope</dt>
          <dd className="mono">{draft.scope}</dd>
          <dt>Not before</dt>
          <dd className="mono">{m.notBefore}</dd>
          <dt>Not after</dt>
          <dd className="mono">{m.notAfter}</dd>
          <dt>Nonce</dt>
          <dd className="mono">{m.nonce}</dd>
          <dt>Sign before</dt>
          <dd className="mono">
            {m.deadline} ({dateTime(isoOf(Number(m.deadline)))})
          </dd>
        </dl>
      </details>
      <div className="actions">
        <button type="button" className="button button--primary" disabled={busy} onClick={onSign} data-testid={`${testIdPrefix}-sign`}>
          Sign and grant
        </button>
        <button type="button" className="button" disabled={busy} onClick={onBack} data-testid={`${testIdPrefix}-back`}>
          Change my choices
        </button>
      </div>
    </section>
  );
}

/** The consent as the chain recorded it: its id, transaction and block. */
export function ConsentConfirmation({ consent, testIdPrefix }: { consent: Consent; testIdPrefix: string }) {
  return (
    <section className="confirmation" aria-label="Consent recorded" data-testid={`${testIdPrefix}-confirmation`} data-consent-id={consent.id}>
      <h4>Consent recorded on-chain</h4>
      <p>
        {consent.grantee.name} may now see these records of yours: {compartmentList(consent.compartments)}. Purpose: {purposeLabel(consent.purpose)}. Until{' '}
        <time dateTime={consent.notAfter}>{dateTime(consent.notAfter)}</time>, unless you revoke it sooner.
      </p>
      <dl className="facts">
        <dt>Consent id</dt>
        <dd className="mono" data-testid={`${testIdPrefix}-id`}>
          {consent.id}
        </dd>
        <dt>Transaction</dt>
        <dd className="mono" data-testid={`${testIdPrefix}-tx`}>
          {consent.grantTransaction ?? 'not yet mined'}
        </dd>
        <dt>Block</dt>
        <dd className="mono" data-testid={`${testIdPrefix}-block`}>
          {consent.grantBlock ?? 'not yet mined'}
        </dd>
      </dl>
    </section>
  );
}
