import { type FormEvent, type ReactNode, useId, useState } from 'react';

/**
 * A form for the patient's recovery phrase. The phrase lives only in this component's state while it is typed:
 * the field has no `name` (a form submission could never carry it), spell checking and autocomplete are off (the
 * browser does not send it to a spelling service or remember it), and the state is cleared as soon as the phrase
 * is handed to `onSubmit`. `children` go under the phrase (e.g. "keep it on this device"); `blocked` holds the
 * submit button back while they are not ready.
 */
export function RecoveryPhraseForm({
  action,
  privacy,
  disabled,
  blocked = false,
  children,
  onSubmit,
}: {
  action: string;
  privacy: string;
  disabled: boolean;
  blocked?: boolean;
  children?: ReactNode;
  onSubmit: (phrase: string) => void;
}) {
  const [phrase, setPhrase] = useState('');
  const fieldId = useId();
  const hintId = useId();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (blocked) return;
    const entered = phrase;
    setPhrase('');
    if (entered.trim().length > 0) onSubmit(entered);
  }

  return (
    <form className="phrase-form" onSubmit={submit} autoComplete="off" data-testid="phrase-form">
      <label htmlFor={fieldId} className="phrase-form__label">
        Your recovery phrase (the 24 words you wrote down)
      </label>
      <textarea
        id={fieldId}
        className="phrase-form__field mono"
        rows={3}
        value={phrase}
        onChange={(event) => setPhrase(event.target.value)}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="none"
        spellCheck={false}
        aria-describedby={hintId}
        disabled={disabled}
        data-testid="recovery-phrase"
      />
      <p id={hintId} className="phrase-form__hint" data-testid="phrase-privacy">
        {privacy}
      </p>
      {children}
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={disabled || blocked || phrase.trim().length === 0} data-testid="phrase-submit">
          {action}
        </button>
      </div>
    </form>
  );
}
