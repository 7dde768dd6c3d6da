import { useEffect, useRef, useState } from 'react';

/** A confirmation that shows for a moment ("Copied"): `flash(key)` shows it for `key` until `ms` pass. */
export function useFlash<K>(ms = 1600): [K | null, (key: K) => void] {
  const [shown, setShown] = useState<K | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const flash = (key: K) => {
    clearTimeout(timer.current);
    setShown(key);
    timer.current = setTimeout(() => setShown(null), ms);
  };
  return [shown, flash];
}
