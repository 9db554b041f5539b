import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { wipe } from '../../../gateway/src/crypto/bytes.js';
import type { PatientKeys } from '../../../gateway/src/crypto/index.js';
import type { OpenedStore } from '../records/open-store.js';

/**
 * Overwrites the compartment secret keys, as the key library's `wipePatientKeys` does, but synchronously and
 * without loading the library into the first page load (only its light byte helpers): a `pagehide` handler
 * cannot wait for a dynamic import.
 */
function wipeKeys(keys: PatientKeys): void {
  for (const pair of Object.values(keys.compartments)) wipe(pair.secretKey);
}

/** What unlocking gave: the patient's keys and the records they opened. */
export interface Unlocked {
  /** Secret material (design.md §2.1): kept in this tab's memory only, never stored or sent; wiped on lock. */
  readonly keys: PatientKeys;
  readonly store: OpenedStore;
}

export interface UnlockedKeysApi {
  /** The unlocked keys and records, or null while locked. */
  readonly unlocked: Unlocked | null;
  /** Holds freshly unlocked keys (any keys held before are wiped). */
  hold(unlocked: Unlocked): void;
  /** Wipes the keys and forgets the opened records. */
  lock(): void;
}

const UnlockedKeysContext = createContext<UnlockedKeysApi | null>(null);

/**
 * Holds the patient's keys between "Unlock my records" and "Lock" for the pages that need them (reading records,
 * signing consents, sealing key releases). The compartment secret keys are overwritten on lock, when the page is
 * left (sign-out, session end, closing or leaving the tab) and when the portal unmounts. The signing key is a
 * JavaScript string and cannot be overwritten; dropping the last reference is all JS allows.
 */
export function UnlockedKeysProvider({ children }: { children: ReactNode }) {
  const [unlocked, setUnlocked] = useState<Unlocked | null>(null);
  // The current keys outside React's state, so cleanups that run after the last render still find them.
  const held = useRef<PatientKeys | null>(null);

  const release = useCallback(() => {
    const keys = held.current;
    held.current = null;
    if (keys) wipeKeys(keys);
  }, []);

  const hold = useCallback(
    (next: Unlocked) => {
      if (held.current !== next.keys) release();
      held.current = next.keys;
      setUnlocked(next);
    },
    [release],
  );

  const lock = useCallback(() => {
    release();
    setUnlocked(null);
  }, [release]);

  useEffect(() => {
    // pagehide: navigation away (the sign-out redirect), tab close, or the page going into the back-forward cache.
    window.addEventListener('pagehide', lock);
    return () => {
      window.removeEventListener('pagehide', lock);
      release(); // sign-out and session expiry unmount the signed-in page
    };
  }, [lock, release]);

  const api = useMemo<UnlockedKeysApi>(() => ({ unlocked, hold, lock }), [unlocked, hold, lock]);
  return <UnlockedKeysContext.Provider value={api}>{children}</UnlockedKeysContext.Provider>;
}

/**
 * The unlocked keys of the surrounding {@link UnlockedKeysProvider}.
 * @throws Error outside one.
 */
export function useUnlockedKeys(): UnlockedKeysApi {
  const api = useContext(UnlockedKeysContext);
  if (!api) throw new Error('useUnlockedKeys() needs an <UnlockedKeysProvider> above it');
  return api;
}
