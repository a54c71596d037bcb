// Small React hooks shared by the components.
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './errors';

/** The current time, refreshed every `intervalMs` (for "5 min ago" labels). */
export function useNow(intervalMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface Action<A extends unknown[]> {
  readonly run: (...args: A) => Promise<void>;
  readonly pending: boolean;
  /** The last failure's message, cleared when the action runs again. */
  readonly error: string | undefined;
}

/**
 * Runs a request on a user's action, tracking whether it is in flight and how it failed, so a
 * button can say it is busy and show the engine's refusal next to it. Ignores results that come
 * back after the component is gone.
 */
export function useAction<A extends unknown[]>(request: (...args: A) => Promise<unknown>): Action<A> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const latest = useRef(request);
  useEffect(() => {
    latest.current = request;
  });
  const run = useCallback(async (...args: A) => {
    setPending(true);
    setError(undefined);
    try {
      await latest.current(...args);
    } catch (failure) {
      if (mounted.current) setError(errorMessage(failure));
    } finally {
      if (mounted.current) setPending(false);
    }
  }, []);
  return { run, pending, error };
}

export interface Requested<T> {
  /** What to show: the value asked for while the engine has not answered, else the engine's. */
  readonly value: T;
  readonly set: (value: T) => void;
  readonly error: string | undefined;
}

/**
 * A setting the engine holds (the vote, the threads…), changed by a request. The change shows at
 * once; the engine's state takes over again as soon as it reports any new value (the one asked
 * for, or another if it decided otherwise), or the request fails. Controls stay enabled meanwhile,
 * so the keyboard focus is never lost to a disabled control.
 */
export function useRequested<T>(actual: T, request: (value: T) => Promise<unknown>): Requested<T> {
  const [wanted, setWanted] = useState<{ value: T; from: T }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (wanted && (!Object.is(actual, wanted.from) || Object.is(actual, wanted.value))) setWanted(undefined);
  }, [actual, wanted]);
  const latest = useRef(request);
  useEffect(() => {
    latest.current = request;
  });
  const set = useCallback(
    (value: T) => {
      setWanted({ value, from: actual });
      setError(undefined);
      latest.current(value).catch((failure: unknown) => {
        setWanted(undefined);
        setError(errorMessage(failure));
      });
    },
    [actual],
  );
  return { value: wanted ? wanted.value : actual, set, error };
}
