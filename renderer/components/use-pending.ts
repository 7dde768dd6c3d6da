import { useCallback, useEffect, useRef, useState } from 'react';

/** `run(work)` marks a control busy until the work settles, so a double click can't send it twice. */
export function usePending(): [boolean, (work: () => Promise<void>) => void] {
  const [pending, setPending] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback((work: () => Promise<void>) => {
    setPending(true);
    work()
      .catch((error: unknown) => console.error(error))
      .finally(() => {
        if (mounted.current) setPending(false);
      });
  }, []);
  return [pending, run];
}
