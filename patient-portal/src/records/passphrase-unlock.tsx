import { type FormEvent, useId, useState } from 'react';

/**
 * "Unlock with my passphrase": the passphrase opens the recovery phrase kept encrypted on this device. Like the
 * phrase's own form, the field has no `name` and its state is cleared as soon as it is handed to `onSubmit`.
 */
export function PassphraseUnlockForm({ disabled, onSubmit }: { disabled: boolean; onSubmit: (passphrase: string) => void }) {
  const [passphrase, setPassphrase] = useState('');
  const fieldId = useId();
  const hintId = useId();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const entered = passphrase;
    setPassphrase('');
    if (entered.length > 0) onSubmit(entered);
  }

  return (
    <form className="phrase-form" onSubmit={submit} autoComplete="off" data-testid="passphrase-form">
      <label htmlFor={fieldId} className="phrase-form__label">
        Your passphrase (the one you set when you kept your phrase on this device)
      </label>
      <input
        id={fieldId}
        type="password"
        className="phrase-form__field"
        value={passphrase}
        onChange={(event) => setPassphrase(event.target.value)}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={hintId}
        disabled={disabled}
        data-testid="passphrase"
      />
      <p id={hintId} className="phrase-form__hint" data-testid="passphrase-privacy">
        Your passphrase never leaves this browser. It opens the recovery phrase saved here, whose keys open your records; they stay in this tab's memory until you lock your records or sign out, and are wiped then.
      </p>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={disabled || passphrase.length === 0} data-testid="passphrase-submit">
          Unlock my records
        </button>
      </div>
    </form>
  );
}

/** "Forget the saved phrase on this device", with a second click to confirm: it cannot be undone. */
export function ForgetSavedPhrase({ disabled, onForget }: { disabled: boolean; onForget: () => void }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <div className="actions">
        <button type="button" className="button button--quiet" disabled={disabled} onClick={() => setAsking(true)} data-testid="forget-saved-phrase">
          Forget the saved phrase on this device
        </button>
      </div>
    );
  }
  return (
    <div className="forget" role="group" aria-label="Forget the saved phrase" data-testid="forget-confirm">
      <p>This removes the encrypted phrase from this browser. To unlock your records here again you will need the 24 words you wrote down. Your records are not affected.</p>
      <div className="actions">
        <button
          type="button"
          className="button button--primary"
          disabled={disabled}
          onClick={() => {
            setAsking(false);
            onForget();
          }}
          data-testid="forget-confirm-yes"
        >
          Forget it
        </button>
        <button type="button" className="button" disabled={disabled} onClick={() => setAsking(false)} data-testid="forget-confirm-no">
          Keep it
        </button>
      </div>
    </div>
  );
}
