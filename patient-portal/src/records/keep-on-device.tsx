import { useId } from 'react';
import { canSavePhrase, PASSPHRASE_MIN_LENGTH, passphraseLength } from './phrase-vault.js';

/** The patient's answer to "keep my phrase on this device?": the passphrase twice, while typed. */
export interface KeepAnswer {
  readonly keep: boolean;
  readonly passphrase: string;
  readonly repeat: string;
}

export const KEEP_NOTHING: KeepAnswer = { keep: false, passphrase: '', repeat: '' };

/** What still stops the answer, in words; null when it can go ahead (not kept, or a long enough passphrase twice). */
export function keepProblem(answer: KeepAnswer): string | null {
  if (!answer.keep) return null;
  const length = passphraseLength(answer.passphrase);
  if (length < PASSPHRASE_MIN_LENGTH) return `Your passphrase needs at least ${PASSPHRASE_MIN_LENGTH} characters (${length} so far).`;
  if (answer.repeat !== answer.passphrase) return 'The two passphrases are not the same yet.';
  return null;
}

/**
 * The optional "keep my phrase on this device, encrypted under a passphrase" (design.md §2.1). The fields have no
 * `name` and autocomplete off, like the phrase's own field: nothing here can be submitted or remembered by the form.
 */
export function KeepOnDevice({ answer, disabled, onChange }: { answer: KeepAnswer; disabled: boolean; onChange: (answer: KeepAnswer) => void }) {
  const checkId = useId();
  const passId = useId();
  const repeatId = useId();
  const hintId = useId();
  if (!canSavePhrase()) {
    return (
      <p className="phrase-form__hint" data-testid="keep-unavailable">
        This browser cannot keep your phrase encrypted (it needs a secure connection and site storage). You will unlock with the words you wrote down.
      </p>
    );
  }
  const problem = keepProblem(answer);
  return (
    <fieldset className="keep" disabled={disabled}>
      <legend className="phrase-form__label">Keep my phrase on this device (optional)</legend>
      <div className="keep__check">
        <input id={checkId} type="checkbox" checked={answer.keep} onChange={(event) => onChange({ ...KEEP_NOTHING, keep: event.target.checked })} data-testid="keep-on-device" />
        <label htmlFor={checkId}>Keep my recovery phrase in this browser, encrypted under a passphrase, so I can unlock with the passphrase instead of typing 24 words.</label>
      </div>
      {answer.keep && (
        <>
          <label htmlFor={passId}>Passphrase (at least {PASSPHRASE_MIN_LENGTH} characters)</label>
          <input
            id={passId}
            type="password"
            className="phrase-form__field"
            value={answer.passphrase}
            onChange={(event) => onChange({ ...answer, passphrase: event.target.value })}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={hintId}
            data-testid="new-passphrase"
          />
          <label htmlFor={repeatId}>The same passphrase again</label>
          <input
            id={repeatId}
            type="password"
            className="phrase-form__field"
            value={answer.repeat}
            onChange={(event) => onChange({ ...answer, repeat: event.target.value })}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={hintId}
            data-testid="new-passphrase-repeat"
          />
          <p id={hintId} className="phrase-form__hint" data-testid="passphrase-hint">
            {problem ?? 'Ready.'} This browser encrypts your phrase with a key made from your passphrase (PBKDF2-SHA256, 600,000 rounds, then AES-GCM) and keeps only the encrypted form. The passphrase is never
            stored or sent. Anyone who can use this browser and guesses the passphrase can read your records: do not do this on a shared computer. If you forget the passphrase, use the
            words you wrote down.
          </p>
        </>
      )}
    </fieldset>
  );
}
