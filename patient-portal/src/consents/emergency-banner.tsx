import { Notice, Problem } from '@web';
import { ProblemNotice } from '../ui/problem-notice.js';
import { useConsentData } from './consent-data.js';
import { dateTime, short } from './format.js';

/**
 * Active break-glass accesses, shown at the top of the page in red: which clinician, the reason they gave, when,
 * until when, and the transaction that recorded it on-chain. If the gateway cannot say, that is shown too: silence
 * must not look like "no emergency access".
 */
export function EmergencyBanner() {
  const { emergencies, reload } = useConsentData();
  if (emergencies.phase === 'failed') {
    const { title, message, code, recovery } = emergencies.problem;
    const problem = new Problem(`Emergency accesses could not be checked: ${title}`, message, code, recovery === 'none' ? 'retry' : recovery);
    return <ProblemNotice problem={problem} onRetry={() => reload(['emergencies'])} testId="emergency-banner-error" />;
  }
  if (emergencies.phase !== 'ready') return null;
  const active = emergencies.value.filter((e) => e.active);
  if (active.length === 0) return null;
  return (
    <div className="emergency-banner">
      <Notice kind="error" title={active.length === 1 ? 'A clinician opened your records in an emergency' : `${active.length} clinicians opened your records in an emergency`} testId="emergency-banner">
        <p className="notice__text">This used the emergency access you switched on. It is recorded on-chain and ends by itself at the time shown.</p>
        <ul className="emergency-banner__list">
          {active.map((e) => (
            <li key={e.id} data-testid="emergency-banner-item" data-id={e.id}>
              <strong data-testid="emergency-clinician">{e.clinician}</strong>
              {' · reason: '}
              <q data-testid="emergency-reason">{e.reason ?? 'not available'}</q>
              <br />
              Since <time dateTime={e.declaredAt}>{dateTime(e.declaredAt)}</time>, until{' '}
              <time dateTime={e.expiresAt} data-testid="emergency-until">
                {dateTime(e.expiresAt)}
              </time>
              {e.transaction && (
                <>
                  {' · transaction '}
                  <span className="mono" title={e.transaction} data-testid="emergency-tx" data-tx={e.transaction}>
                    {short(e.transaction)}
                  </span>
                  {e.block !== null && ` (block ${e.block})`}
                </>
              )}
            </li>
          ))}
        </ul>
      </Notice>
    </div>
  );
}
