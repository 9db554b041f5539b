import { useState } from 'react';
import { KEEP_NOTHING, type KeepAnswer, KeepOnDevice, keepProblem } from './keep-on-device.js';
import { RecoveryPhraseForm } from './recovery-phrase-form.js';

/**
 * Unlocking on a device that keeps no phrase for this patient, e.g. a new browser (design.md §2.1): the patient
 * types the recovery phrase; this browser derives the keys and checks that their address is the one the store
 * was claimed with before it fetches anything; only then, if the patient asked, it keeps the phrase here
 * encrypted under a new passphrase. The passphrase lives in this component's state until it is handed over.
 */
export function RestorePhrase({ address, disabled, onRestore }: { address: string | undefined; disabled: boolean; onRestore: (phrase: string, passphrase: string | null) => void }) {
  const [keep, setKeep] = useState<KeepAnswer>(KEEP_NOTHING);
  return (
    <div className="restore" data-testid="restore-phrase">
      <p className="phrase-form__hint" data-testid="restore-explained">
        No recovery phrase is kept in this browser. Type the words you wrote down: this browser derives your keys from them and checks that they belong to your store
        {address ? (
          <>
            {' '}
            (address <span className="mono">{address}</span>)
          </>
        ) : null}{' '}
        before anything is fetched. On a new device, you can then keep the phrase here, encrypted under a passphrase.
      </p>
      <RecoveryPhraseForm
        action="Unlock my records"
        privacy="Your recovery phrase never leaves this browser. The keys it gives open your records here; they stay in this tab's memory until you lock your records or sign out, and are wiped then."
        disabled={disabled}
        blocked={keepProblem(keep) !== null}
        onSubmit={(phrase) => {
          const passphrase = keep.keep ? keep.passphrase : null;
          setKeep(KEEP_NOTHING);
          onRestore(phrase, passphrase);
        }}
      >
        <KeepOnDevice answer={keep} disabled={disabled} onChange={setKeep} />
      </RecoveryPhraseForm>
    </div>
  );
}
