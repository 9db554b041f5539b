import { type Problem, toProblem } from '@web';
import { useEffect, useRef, useState } from 'react';

/** One answer of the gateway: loading, failed with its problem, or ready. */
export type Remote<T> = { readonly phase: 'loading' } | { readonly phase: 'failed'; readonly problem: Problem } | { readonly phase: 'ready'; readonly value: T };

/** Loads once per `key`; a newer load wins over an older one still under way. */
export function useRemote<T>(load: () => Promise<T>, key: string): Remote<T> {
  const [state, setState] = useState<Remote<T>>({ phase: 'loading' });
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    let live = true;
    setState({ phase: 'loading' });
    loadRef.current().then(
      (value) => live && setState({ phase: 'ready', value }),
      (error: unknown) => live && setState({ phase: 'failed', problem: toProblem(error) }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state;
}
