import { Card, Notice, type Problem, toProblem, useGatewayApi, useSession } from '@web';
import { useEffect, useMemo, useState } from 'react';
import type { OpenedStore } from './open-store.js';
import { PatientStoreApi, type StoreStatus } from './patient-store-api.js';
import { RecordList } from './record-list.js';
import { RecoveryPhraseForm } from './recovery-phrase-form.js';
import './records.css';

/** The key library (ethers, noble, scure) loads only when the patient claims or unlocks: the first page stays light. */
const storeKeys = () => import('./store-keys.js');

type StatusView = { readonly phase: 'loading' } | { readonly phase: 'no-store' } | { readonly phase: 'failed'; readonly problem: Problem } | { readonly phase: 'ready'; readonly status: StoreStatus };

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A problem with the way out it offers: sign in again, or try again. */
function ProblemNotice({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  const { signIn } = useSession();
  return (
    <Notice kind="error" title={problem.title} testId="records-error">
      <p className="notice__text">{problem.message}</p>
      {problem.recovery === 'sign-in' && (
        <div className="actions">
          <button type="button" className="button button--primary" onClick={signIn}>
            Sign in again
          </button>
        </div>
      )}
      {problem.recovery === 'retry' && onRetry && (
        <div className="actions">
          <button type="button" className="button button--primary" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
    </Notice>
  );
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
  const [opened, setOpened] = useState<OpenedStore | null>(null);

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

  const claim = (phrase: string) =>
    run(async () => {
      setStep('Loading the key library…');
      const { claimStore } = await storeKeys();
      const status = await claimStore(api, patient, phrase, setStep);
      setView({ phase: 'ready', status });
    }).then(() => setAttempt((n) => n + 1)); // a refused claim may mean another tab claimed: show the current state

  const unlock = (status: StoreStatus) => (phrase: string) =>
    run(async () => {
      setStep('Loading the key library…');
      const { unlockStore } = await storeKeys();
      setOpened(await unlockStore(api, status, phrase, setStep));
    });

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
                Your records are encrypted, but for now to a key the gateway holds in escrow, so the gateway can still read them. Claim your store with your recovery phrase: this
                browser derives your keys from it and signs a claim. The gateway then re-seals every record to your keys and destroys its escrow key; from then on only your phrase opens
                them. Use the phrase you wrote down: a store claimed with another phrase opens only with that phrase.
              </p>
              <RecoveryPhraseForm
                action="Claim my store"
                privacy="Your recovery phrase never leaves this browser and is not stored. Only the signed claim and your public keys are sent to the gateway; your secret keys are wiped right after signing."
                disabled={step !== null}
                onSubmit={(phrase) => void claim(phrase)}
              />
            </div>
          )}
          {view.status.claimed && !opened && (
            <div className="records__step" data-testid="unlock">
              <h3>Unlock my records</h3>
              <p>Your records are sealed to your keys: the gateway sends them encrypted, and this browser opens them with the keys of your recovery phrase.</p>
              <RecoveryPhraseForm
                action="Unlock my records"
                privacy="Your recovery phrase never leaves this browser and is not stored. The keys it gives open your records here and are wiped right after."
                disabled={step !== null}
                onSubmit={(phrase) => void unlock(view.status)(phrase)}
              />
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
            <button type="button" className="button" onClick={() => setOpened(null)} data-testid="lock">
              Lock my records again
            </button>
          </div>
        </>
      )}
    </Card>
  );
}
