import { Notice } from '@web';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { KEEP_NOTHING, type KeepAnswer, KeepOnDevice, keepProblem } from './keep-on-device.js';

/** How many words the patient re-types to show they wrote the phrase down. */
const CHECKED_WORDS = 3;

type Stage = 'write' | 'check' | 'claim';

/** `count` distinct word positions (0-based, ascending) from the browser's CSPRNG. */
function pickPositions(words: number, count: number): number[] {
  const picked = new Set<number>();
  const random = new Uint32Array(1);
  while (picked.size < Math.min(count, words)) {
    globalThis.crypto.getRandomValues(random);
    picked.add(random[0]! % words);
  }
  return [...picked].sort((a, b) => a - b);
}

/** A word as the patient may type it: any case, spaces around it. */
function typed(word: string): string {
  return word.normalize('NFKD').trim().toLowerCase();
}

/** The words, numbered, in order; `translate="no"` keeps a translation service from ever being sent them. */
function PhraseWords({ words }: { words: readonly string[] }) {
  return (
    <ol className="phrase-words mono notranslate" translate="no" data-testid="new-phrase-words">
      {words.map((word, i) => (
        <li key={i} className="phrase-words__item">
          <span className="phrase-words__n" aria-hidden="true">
            {i + 1}.
          </span>{' '}
          <span data-testid="new-phrase-word">{word}</span>
        </li>
      ))}
    </ol>
  );
}

/**
 * "Create a new recovery phrase" (design.md §2.1): this browser generates 24 words with the key library's
 * `newMnemonic()`, shows them once, has the patient re-type three of them, and only then lets them claim with it.
 * The phrase lives only in this component's state (never in a form field with a name, never in the URL, never
 * logged) and is dropped once the claim is accepted; a refused claim keeps it so the patient can try again.
 */
export function NewPhraseFlow({ disabled, onClaim }: { disabled: boolean; onClaim: (phrase: string, passphrase: string | null) => Promise<boolean> }) {
  const [phrase, setPhrase] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [stage, setStage] = useState<Stage>('write');
  const [written, setWritten] = useState(false);
  const [positions, setPositions] = useState<number[]>([]);
  const [entries, setEntries] = useState<Record<number, string>>({});
  const [mismatch, setMismatch] = useState<number[]>([]);
  const [keep, setKeep] = useState<KeepAnswer>(KEEP_NOTHING);
  const writtenId = useId();
  const fieldIds = useId();

  useEffect(() => {
    let live = true;
    import('./store-keys.js').then(
      ({ newRecoveryPhrase }) => live && setPhrase(newRecoveryPhrase()),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);

  if (failed) {
    return (
      <Notice kind="error" title="A new recovery phrase could not be made" testId="new-phrase-failed">
        <p className="notice__text">The portal could not load its key library. Reload the page and try again.</p>
      </Notice>
    );
  }
  if (phrase === null) return <Notice kind="progress" title="Making your recovery phrase in this browser…" testId="new-phrase-loading" />;
  const words = phrase.split(' ');

  function toCheck() {
    setPositions(pickPositions(words.length, CHECKED_WORDS));
    setEntries({});
    setMismatch([]);
    setStage('check');
  }

  function check(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const wrong = positions.filter((p) => typed(entries[p] ?? '') !== words[p]);
    setMismatch(wrong);
    if (wrong.length === 0) {
      setEntries({});
      setStage('claim');
    }
  }

  async function claim(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (phrase === null || keepProblem(keep) !== null) return;
    const accepted = await onClaim(phrase, keep.keep ? keep.passphrase : null);
    if (accepted) {
      // The store is claimed: nothing of the phrase or the passphrase stays in this component.
      setPhrase(null);
      setKeep(KEEP_NOTHING);
      setPositions([]);
    }
  }

  return (
    <div className="new-phrase" data-testid="new-phrase" data-stage={stage}>
      {stage === 'write' && (
        <>
          <h4>1. Write these 24 words down</h4>
          <div className="phrase-warning" role="note" data-testid="new-phrase-warning">
            <p>
              <strong>These words are the only way to read your records once you claim your store.</strong> Nobody can recover them for you: not the hospital, not the gateway, not
              anyone running this portal. If you lose them, your records are lost to you.
            </p>
            <p>
              Write them on paper, in order, and keep it somewhere safe. Anyone who has them can read your records, so do not photograph them, email them or keep them in an online note.
              They are shown only now: after you claim your store, this portal cannot show them again.
            </p>
          </div>
          <PhraseWords words={words} />
          <div className="keep__check">
            <input id={writtenId} type="checkbox" checked={written} onChange={(event) => setWritten(event.target.checked)} disabled={disabled} data-testid="new-phrase-written" />
            <label htmlFor={writtenId}>I have written down all 24 words, in order.</label>
          </div>
          <div className="actions">
            <button type="button" className="button button--primary" disabled={disabled || !written} onClick={toCheck} data-testid="new-phrase-next">
              Next: check my words
            </button>
          </div>
        </>
      )}
      {stage === 'check' && (
        <form className="phrase-form" onSubmit={check} autoComplete="off" data-testid="confirm-form">
          <h4>2. Check that you wrote them down</h4>
          <p>Type these words from what you wrote down (the words are hidden now).</p>
          <div className="confirm-words">
            {positions.map((p) => (
              <div key={p} className="confirm-words__item">
                <label htmlFor={`${fieldIds}-${p}`}>Word {p + 1}</label>
                <input
                  id={`${fieldIds}-${p}`}
                  className="phrase-form__field mono"
                  value={entries[p] ?? ''}
                  onChange={(event) => setEntries({ ...entries, [p]: event.target.value })}
                  autoComplete="off"
                  autoCorrect="off"
                  autoCapitalize="none"
                  spellCheck={false}
                  aria-invalid={mismatch.includes(p)}
                  disabled={disabled}
                  data-testid="confirm-word"
                  data-position={p + 1}
                />
              </div>
            ))}
          </div>
          {mismatch.length > 0 && (
            <Notice kind="error" title="These words do not match" testId="confirm-error">
              <p className="notice__text">
                {mismatch.length === 1 ? `Word ${mismatch[0]! + 1} is not` : `Words ${mismatch.map((p) => p + 1).join(', ')} are not`} the word shown at that place. Check what you wrote down
                (the number is its place in the list), or go back to the words and copy them again.
              </p>
            </Notice>
          )}
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={disabled || positions.some((p) => (entries[p] ?? '').trim() === '')} data-testid="confirm-submit">
              Check my words
            </button>
            <button type="button" className="button" disabled={disabled} onClick={() => setStage('write')} data-testid="confirm-back">
              Show the words again
            </button>
          </div>
        </form>
      )}
      {stage === 'claim' && (
        <form className="phrase-form" onSubmit={(event) => void claim(event)} autoComplete="off" data-testid="new-phrase-claim-form">
          <h4>3. Claim your store</h4>
          <p data-testid="new-phrase-checked">Your words match. This browser now derives your keys from them and signs the claim; the words themselves are never sent.</p>
          <KeepOnDevice answer={keep} disabled={disabled} onChange={setKeep} />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={disabled || keepProblem(keep) !== null} data-testid="new-phrase-claim">
              Claim my store
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
