import { useEffect, useRef, useState } from 'react';

/** Seconds the rate is averaged over: long enough to be steady, short enough to reach 0 soon after the last request. */
const WINDOW_MS = 3000;

/**
 * Requests per second over the last few seconds, from a server's running
 * request count (which moves with every log batch). Sampled once a second,
 * so it falls to 0 by itself when requests stop.
 */
export function useRequestRate(key: string, total: number): number {
  const latest = useRef(total);
  const [rate, setRate] = useState(0);
  useEffect(() => {
    latest.current = total;
  }, [total]);
  useEffect(() => {
    const samples: { at: number; total: number }[] = [];
    const tick = () => {
      const at = performance.now();
      const now = latest.current;
      // A Clear starts the count again: what came before no longer compares.
      if (samples.length > 0 && now < samples[samples.length - 1]!.total) samples.length = 0;
      samples.push({ at, total: now });
      while (samples.length > 1 && at - samples[0]!.at > WINDOW_MS) samples.shift();
      const first = samples[0]!;
      setRate(samples.length > 1 ? ((now - first.total) * 1000) / (at - first.at) : 0);
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [key]);
  return rate;
}

/** "0", "0.4", "12", "1,250". */
export const formatRate = (rate: number) => (rate >= 1 || rate === 0 ? Math.round(rate).toLocaleString('en') : rate.toFixed(1));
