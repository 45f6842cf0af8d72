import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';

import { RelayError, toRelayError } from '../../api/errors';

export interface ResourceState<T> {
  loading: boolean;
  error?: RelayError;
  value?: T;
  reload: () => void;
}

type Result<T> = Omit<ResourceState<T>, 'reload'>;

function sameDeps(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/**
 * Runs a resource call when deps change (after debounceMs) and tracks its
 * loading, error and value; answers of superseded calls are dropped. A null
 * loader means "nothing to load" (idle, no value).
 */
export function useResource<T>(
  loader: (() => Promise<T>) | null,
  deps: DependencyList,
  debounceMs = 0
): ResourceState<T> {
  const [tick, setTick] = useState(0);
  const allDeps = [...deps, tick, !!loader];
  const [state, setState] = useState<Result<T>>({ loading: !!loader });
  const [seen, setSeen] = useState<DependencyList>(allDeps);
  // React's "adjust state when inputs change" pattern: loading shows in the same render as the change.
  if (!sameDeps(seen, allDeps)) {
    setSeen(allDeps);
    setState(loader ? { ...state, loading: true } : { loading: false });
  }
  const seq = useRef(0);

  useEffect(() => {
    const id = ++seq.current;
    if (!loader) {
      return;
    }
    const timer = setTimeout(() => {
      loader().then(
        (value) => id === seq.current && setState({ loading: false, value }),
        (e) => id === seq.current && setState({ loading: false, error: toRelayError(e) })
      );
    }, debounceMs);
    return () => clearTimeout(timer);
    // The loader closes over the values in deps, so the one of the render that changed them is the right one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, allDeps);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
