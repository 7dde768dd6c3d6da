// Where electron's own installer put the binary, or null if it never did.
// Used by `npm start` (to fetch it first) and the e2e config (to pick variants).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const electronDir = path.resolve(import.meta.dirname, '..', 'node_modules', 'electron');

/** @returns {string | null} */
export function electronBinary() {
  try {
    const binary = path.join(electronDir, 'dist', readFileSync(path.join(electronDir, 'path.txt'), 'utf8'));
    return existsSync(binary) ? binary : null;
  } catch {
    // No path.txt: the binary was never downloaded.
    return null;
  }
}
