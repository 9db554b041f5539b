import { Card, Notice, Problem, toProblem, useGatewayApi } from '@web';
import { useEffect, useMemo, useState } from 'react';
import { useUnlockedKeys } from '../keys/unlocked-keys.js';
import { ProblemNotice } from '../ui/problem-notice.js';
import { Choice } from './choice.js';
import { NewPhraseFlow } from './new-phrase-flow.js';
import { ForgetSavedPhrase, PassphraseUnlockForm } from './passphrase-unlock.js';
import { PatientStoreApi, type StoreStatus } from './patient-store-api.js';
import { forgetSavedPhrase, hasSavedPhrase, openSavedPhrase, savePhrase } from './phrase-vault.js';
import { RecordList } from './record-list.js';
import { RecoveryPhraseForm } from './recovery-phrase-form.js';
import { RestorePhrase } from './restore-phrase.js';
import './records.css';

/** The key library (ethers, noble, scure) loads only when the patient claims or unlocks: the first page stays light. */
const storeKeys = () => import('./store-keys.js');

type ClaimWith = 'existing' | 'new';
type UnlockWith = 'passphrase' | 'phrase';

const CLAIM_CHOICES = [
  { value: 'existing', label: 'I have a recovery phrase', hint: 'Type the 24 words you already wrote down.', testId: 'claim-with-existing' },
  { value: 'new', label: 'Create a new recovery phrase', hint: 'This browser makes 24 words for you to write down.', testId: 'claim-with-new' },
] as const;

const UNLOCK_CHOICES = [
  { value: 'passphrase', label: 'Unlock with my passphrase', hint: 'Opens the phrase kept encrypted on this device.', testId: 'unlock-with-passphrase' },
  { value: 'phrase', label: 'Unlock with my recovery phrase', hint: 'Type the 24 words you wrote down.', testId: 'unlock-with-phrase' },
] as const;

type StatusView = { readonly phase: 'loading' } | { readonly phase: 'no-store' } | { readonly phase: 'failed'; readonly problem: Problem } | { readonly phase: 'ready'; readonly status: StoreStatus };

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function StoreFacts({ status }: { status: StoreStatus }) {
  return (
    <dl className="facts" data-testid="store-facts">
      <dt>Your store</dt>
      <dd data-testid="store-status" data-claimed={status.claimed}>
        {status.claimed ? 'Claimed: sealed to your keys' : 'Held in escrow by the gateway'}
      </dd>
      {status.claimedAt && (
        <>
          <dt>Claimed on</dt>
          <dd>{status.claimedAt.slice(0, 10)}</dd>
        </>
      )}
      {status.address && (
        <>
          <dt>Your address</dt>
          <dd className="mono" data-testid="store-address">
            {status.address}
          </dd>
        </>
      )}
      <dt>Records</dt>
      <dd data-testid="store-records">{plural(status.records, 'record', 'records')}</dd>
    </dl>
  );
}

/**
 * "My records" (design.md §1, §2.1): the patient's store as the gateway describes it, the claim while it is held in
 * escrow, and afterwards the records themselves, opened in this browser with the keys of the recovery phrase.
 */
export function MyRecords({ patient }: { patient: string }) {
  const gateway = useGatewayApi();
  const api = useMemo(() => new PatientStoreApi(gateway), [gateway]);
  const [view, setView] = useState<StatusView>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [step, setStep] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const { unlocked, hold, lock } = useUnlockedKeys();
  const opened = unlocked?.store ?? null;
  const [claimWith, setClaimWith] = useState<ClaimWith | null>(null);
  const [unlockWith, setUnlockWith] = useState<UnlockWith>('passphrase');
  /** Whether an encrypted phrase is kept for this patient on this device (read from storage, never decrypted here). */
  const [saved, setSaved] = useState(() => hasSavedPhrase(patient));
  const [forgotten, setForgotten] = useState(false);

  useEffect(() => {
    let live = true;
    api.status().then(
      (status) => live && setView(status.exists ? { phase: 'ready', status } : { phase: 'no-store' }),
      (error: unknown) => live && setView({ phase: 'failed', problem: toProblem(error) }),
    );
    return () => {
      live = false;
    };
  }, [api, attempt]);

  /** Runs one step with its progress notice; true when it went through, else its problem is shown. */
  async function run(action: () => Promise<void>): Promise<boolean> {
    setProblem(null);
    setForgotten(false);
    try {
      await action();
      return true;
    } catch (error) {
      setProblem(toProblem(error));
      return false;
    } finally {
      setStep(null);
    }
  }

  /** Claims with the phrase; with a passphrase, then keeps the phrase encrypted on this device (only once the claim is accepted). */
  const claim = (phrase: string, passphrase: string | null = null) =>
    run(async () => {
      setStep('Loading the key library…');
      const { claimStore } = await storeKeys();
      const status = await claimStore(api, patient, phrase, setStep);
      setView({ phase: 'ready', status });
      if (passphrase === null) return;
      setStep('Encrypting your phrase for this device…');
      try {
        await savePhrase(patient, phrase, passphrase);
        setSaved(true);
        setUnlockWith('passphrase');
      } catch (error) {
        throw new Problem('Your store is claimed, but your phrase was not kept on this device', `${toProblem(error).message} Unlock with the words you wrote down.`, 'NOT_KEPT', 'none');
      }
    }).then((accepted) => {
      setAttempt((n) => n + 1); // a refused claim may mean another tab claimed: show the current state
      return accepted;
    });

  const unlock = (status: StoreStatus) => (phrase: string) =>
    run(async () => {
      setStep('Loading the key library…');
      const { unlockStore } = await storeKeys();
      hold(await unlockStore(api, status, phrase, setStep));
    });

  /**
   * Unlocks with the phrase typed on a device that keeps none (e.g. a new one); with a passphrase, then keeps the
   * phrase here, only once its keys proved to be the store's (its address) and opened the records.
   */
  const restore = (status: StoreStatus) => (phrase: string, passphrase: string | null) =>
    run(async () => {
      setStep('Loading the key library…');
      const { unlockStore } = await storeKeys();
      try {
        hold(await unlockStore(api, status, phrase, setStep));
      } catch (error) {
        if (passphrase !== null && error instanceof Problem && error.code === 'WRONG_PHRASE') {
          throw new Problem(error.title, `${error.message} Nothing was kept on this device.`, error.code, error.recovery);
        }
        throw error;
      }
      if (passphrase === null) return;
      setStep('Encrypting your phrase for this device…');
      try {
        await savePhrase(patient, phrase, passphrase);
        setSaved(true);
        setUnlockWith('passphrase');
      } catch (error) {
        throw new Problem('Your records are open, but your phrase was not kept on this device', `${toProblem(error).message} Next time, unlock with the words you wrote down.`, 'NOT_KEPT', 'none');
      }
    });

  const unlockWithPassphrase = (status: StoreStatus) => (passphrase: string) =>
    run(async () => {
      setStep('Opening the phrase kept on this device…');
      const phrase = await openSavedPhrase(patient, passphrase);
      setStep('Loading the key library…');
      const { unlockStore } = await storeKeys();
      try {
        hold(await unlockStore(api, status, phrase, setStep));
      } catch (error) {
        if (error instanceof Problem && error.code === 'WRONG_PHRASE') {
          throw new Problem(
            'The phrase kept on this device does not open your records',
            'Your store was claimed with another recovery phrase. Unlock with the words you wrote down, and forget the saved phrase on this device.',
            'WRONG_SAVED_PHRASE',
            'none',
          );
        }
        throw error;
      }
    });

  function forget() {
    forgetSavedPhrase(patient);
    setSaved(hasSavedPhrase(patient));
    setUnlockWith('phrase');
    setProblem(null);
    setForgotten(true);
  }

  return (
    <Card title="My records">
      {view.phase === 'loading' && <Notice kind="progress" title="Asking the gateway about your records…" testId="store-loading" />}
      {view.phase === 'failed' && <ProblemNotice problem={view.problem} onRetry={() => setAttempt((n) => n + 1)} />}
      {view.phase === 'no-store' && (
        <Notice kind="info" title="No records yet" testId="no-store">
          <p className="notice__text">The hospital has not sent the gateway any records for you yet. They will show here once it has.</p>
        </Notice>
      )}
      {view.phase === 'ready' && (
        <>
          <StoreFacts status={view.status} />
          {!view.status.claimed && (
            <div className="records__step" data-testid="claim">
              <h3>Claim my store</h3>
              <p>
                Your records are encrypted, but for now to a key the gateway holds in escrow, so the gateway can still read them. Claim your store with a recovery phrase: this browser
                derives your keys from it and signs a claim. The gateway then re-seals every record to your keys and destroys its escrow key; from then on only that phrase opens them. If you
                already have a phrase, use the one you wrote down: a store claimed with another phrase opens only with that phrase.
              </p>
              <Choice label="How to claim my store" options={CLAIM_CHOICES} value={claimWith} disabled={step !== null} onChange={setClaimWith} />
              {claimWith === 'existing' && (
                <RecoveryPhraseForm
                  action="Claim my store"
                  privacy="Your recovery phrase never leaves this browser and is not stored. Only the signed claim and your public keys are sent to the gateway; your secret keys are wiped right after signing."
                  disabled={step !== null}
                  onSubmit={(phrase) => void claim(phrase)}
                />
              )}
              {claimWith === 'new' && <NewPhraseFlow disabled={step !== null} onClaim={claim} />}
            </div>
          )}
          {view.status.claimed && !opened && (
            <div className="records__step" data-testid="unlock">
              <h3>Unlock my records</h3>
              <p>Your records are sealed to your keys: the gateway sends them encrypted, and this browser opens them with the keys of your recovery phrase.</p>
              {saved && <Choice label="How to unlock my records" options={UNLOCK_CHOICES} value={unlockWith} disabled={step !== null} onChange={setUnlockWith} />}
              {saved && unlockWith === 'passphrase' && <PassphraseUnlockForm disabled={step !== null} onSubmit={(passphrase) => void unlockWithPassphrase(view.status)(passphrase)} />}
              {saved && unlockWith === 'phrase' && (
                <RecoveryPhraseForm
                  action="Unlock my records"
                  privacy="Your recovery phrase never leaves this browser and is not stored. The keys it gives open your records here; they stay in this tab's memory until you lock your records or sign out, and are wiped then."
                  disabled={step !== null}
                  onSubmit={(phrase) => void unlock(view.status)(phrase)}
                />
              )}
              {!saved && <RestorePhrase address={view.status.address} disabled={step !== null} onRestore={(phrase, passphrase) => void restore(view.status)(phrase, passphrase)} />}
              {saved && <ForgetSavedPhrase disabled={step !== null} onForget={forget} />}
              {forgotten && (
                <Notice kind="info" title="The saved phrase is gone from this device" testId="phrase-forgotten">
                  <p className="notice__text">Unlock with the 24 words you wrote down.</p>
                </Notice>
              )}
            </div>
          )}
        </>
      )}
      {step !== null && <Notice kind="progress" title={step} testId="records-progress" />}
      {problem && <ProblemNotice problem={problem} />}
      {opened && (
        <>
          <RecordList store={opened} />
          <div className="actions">
            <button type="button" className="button" onClick={lock} data-testid="lock">
              Lock my records again
            </button>
          </div>
          <p className="phrase-form__hint" data-testid="lock-hint">
            While your records are unlocked, your keys stay in this tab’s memory, so you can grant and revoke consents below. Locking them, or signing out, wipes them.
          </p>
        </>
      )}
    </Card>
  );
}
