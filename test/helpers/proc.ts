/**
 * What a process holds: open descriptors and resident memory, read from /proc
 * (Linux). Attack tests count them before and after, because a status code
 * alone does not show a leak.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Open descriptors of `pid` (default: this process, which also runs in-process servers). */
export function fdCount(pid: number | 'self' = 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident set size of `pid` in bytes (VmRSS from /proc/PID/status). */
export function rssBytes(pid: number | 'self' = 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`No VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

export const MB = 1024 * 1024;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Poll `probe` every `everyMs` until it returns true or `timeoutMs` has passed.
 * Resolves with whether it did (the caller asserts, with its own message).
 */
export async function pollUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/**
 * Wait for the descriptor count of `pid` to come back to at most `limit`
 * (polling up to `timeoutMs`); resolves with the last count seen.
 */
export async function fdsSettle(limit: number, timeoutMs = 3_000, pid: number | 'self' = 'self'): Promise<number> {
  let count = fdCount(pid);
  await pollUntil(() => (count = fdCount(pid)) <= limit, timeoutMs);
  return count;
}

/** Resolve with `promise`, or reject once `ms` have passed: a hang becomes a failure, not a stuck suite. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
