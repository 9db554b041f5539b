import { Notice, type Problem, toProblem } from '@web';
import { useId, useState } from 'react';
import type { Compartment, PatientKeys } from '../../../gateway/src/crypto/index.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { CompartmentPicker } from './compartment-picker.js';
import type { Consent, Grantee } from './consent-api.js';
import { days, MAX_DAYS, MIN_DAYS } from './consent-choice.js';
import { useConsentData } from './consent-data.js';
import { completeGrant, prepareGrant, revokeConsent } from './consent-flow.js';
import { ConsentConfirmation, ConsentReview } from './consent-review.js';
import type { CheckedGrant } from './consent-signing.js';
import { compartmentList, dateTime, short } from './format.js';

/** What an emergency team needs first: who you are, your conditions and allergies, your medicines. */
const SUGGESTED: readonly Compartment[] = ['demographics', 'conditions', 'medications'];
const DEFAULT_DAYS = '365';

type Stage =
  | { readonly name: 'idle' }
  | { readonly name: 'setup' }
  | { readonly name: 'review'; readonly checked: CheckedGrant }
  | { readonly name: 'turn-off' }
  | { readonly name: 'done'; readonly consent: Consent };

/** The patient's standing break-glass consents: purpose EMERGENCY to the directory's emergency grantee, active. */
export function standingEmergency(consents: readonly Consent[], emergency: Grantee): Consent[] {
  return consents.filter((c) => c.purpose === 'EMERGENCY' && c.grantee.id.toLowerCase() === emergency.id.toLowerCase() && c.status === 'active');
}

/**
 * "Emergency access" (break-glass): a switch that grants or revokes a standing consent with purpose EMERGENCY to
 * any clinician of the realm, for the records the patient chooses. Turning it on and off are signed in this browser
 * like any consent.
 */
export function EmergencyAccessCard({ emergency, consents, keys }: { emergency: Grantee; consents: readonly Consent[]; keys: PatientKeys | null }) {
  const { api, reload, upsert } = useConsentData();
  const [stage, setStage] = useState<Stage>({ name: 'idle' });
  const [compartments, setCompartments] = useState<Compartment[]>([...SUGGESTED]);
  const [duration, setDuration] = useState(DEFAULT_DAYS);
  const [step, setStep] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const ids = useId();
  const standing = standingEmergency(consents, emergency);
  const on = standing.length > 0;
  const busy = step !== null;
  const durationDays = days(duration);
  const setupProblem = compartments.length === 0 ? 'Choose at least one kind of record.' : durationDays === null ? `Give the length in whole days, from ${MIN_DAYS} to ${MAX_DAYS}.` : null;

  async function run(action: () => Promise<void>) {
    setProblem(null);
    try {
      await action();
    } catch (error) {
      setProblem(toProblem(error));
    } finally {
      setStep(null);
    }
  }

  function flip() {
    setProblem(null);
    if (on) setStage(stage.name === 'turn-off' ? { name: 'idle' } : { name: 'turn-off' });
    else setStage(stage.name === 'setup' || stage.name === 'review' ? { name: 'idle' } : { name: 'setup' });
  }

  const prepare = () =>
    keys &&
    durationDays !== null &&
    run(async () => setStage({ name: 'review', checked: await prepareGrant(api, { grantee: emergency, purpose: 'EMERGENCY', compartments, models: [], durationDays }, keys, setStep) }));

  const sign = (checked: CheckedGrant) =>
    keys &&
    run(async () => {
      const consent = await completeGrant(api, checked, keys, setStep);
      upsert(consent);
      reload(['consents', 'emergencies', 'timeline']);
      setStage({ name: 'done', consent });
    });

  const turnOff = () =>
    keys &&
    run(async () => {
      for (const consent of standing) upsert(await revokeConsent(api, consent.id, keys, setStep));
      reload(['consents', 'timeline', 'emergencies']);
      setStage({ name: 'idle' });
    });

  return (
    <div className="emergency" data-testid="emergency-access" data-enabled={on}>
      <p>
        In an emergency you may not be able to say who may see your records. If you switch this on, any clinician of this hospital can open the records you choose, without asking you
        first, but only by declaring an emergency and giving a reason. Each such access is recorded on the blockchain at once and lasts one hour; it is shown at the top of this page
        and in your access timeline. You can switch it off at any time.
      </p>
      <div className="switch-row">
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-labelledby={`${ids}-label`}
          className={`switch${on ? ' switch--on' : ''}`}
          disabled={busy || !keys}
          onClick={flip}
          data-testid="emergency-switch"
        >
          <span className="switch__knob" aria-hidden="true" />
        </button>
        <span id={`${ids}-label`} className="switch-row__label" data-testid="emergency-status">
          {on ? 'Emergency access is on' : 'Emergency access is off'}
        </span>
      </div>
      {!keys && <p className="muted">Unlock your records above to switch emergency access on or off: the change is signed in this browser with your own key.</p>}
      {standing.map((c) => (
        <p key={c.id} className="emergency__standing" data-testid="emergency-standing" data-consent-id={c.id}>
          Clinicians may open: {compartmentList(c.compartments)}. Until <time dateTime={c.notAfter}>{dateTime(c.notAfter)}</time>.{' '}
          <span className="muted mono" title={c.grantTransaction ?? ''}>
            {c.grantTransaction ? `Transaction ${short(c.grantTransaction)}` : ''}
          </span>
        </p>
      ))}
      {stage.name === 'setup' && keys && (
        <div className="consent-form" data-testid="emergency-setup">
          <CompartmentPicker legend="Which records clinicians may open in an emergency" value={compartments} disabled={busy} testIdPrefix="emergency-compartment" onChange={setCompartments} />
          <label htmlFor={`${ids}-days`} className="consent-form__label">
            For how many days (you can switch it off sooner)
          </label>
          <input
            id={`${ids}-days`}
            className="consent-form__field consent-form__field--short"
            type="number"
            inputMode="numeric"
            min={MIN_DAYS}
            max={MAX_DAYS}
            value={duration}
            disabled={busy}
            onChange={(event) => setDuration(event.target.value)}
            data-testid="emergency-duration"
          />
          {setupProblem && <p className="phrase-form__hint" data-testid="emergency-setup-problem">{setupProblem}</p>}
          <div className="actions">
            <button type="button" className="button button--primary" disabled={busy || setupProblem !== null} onClick={() => void prepare()} data-testid="emergency-prepare">
              Review what I will sign
            </button>
          </div>
        </div>
      )}
      {stage.name === 'review' && <ConsentReview checked={stage.checked} busy={busy} testIdPrefix="emergency" onSign={() => void sign(stage.checked)} onBack={() => setStage({ name: 'setup' })} />}
      {stage.name === 'done' && <ConsentConfirmation consent={stage.consent} testIdPrefix="emergency" />}
      {stage.name === 'turn-off' && on && (
        <div className="revoke-confirm" role="group" aria-label="Switch emergency access off" data-testid="emergency-off">
          <p>This browser signs a revocation of your standing emergency consent. Once it is on-chain, no clinician can declare an emergency to open your records.</p>
          <div className="actions">
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void turnOff()} data-testid="emergency-off-confirm">
              Sign and switch off
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => setStage({ name: 'idle' })} data-testid="emergency-off-cancel">
              Keep it on
            </button>
          </div>
        </div>
      )}
      {step !== null && <Notice kind="progress" title={step} testId="emergency-progress" />}
      {problem && <ProblemNotice problem={problem} testId="emergency-error" />}
    </div>
  );
}
