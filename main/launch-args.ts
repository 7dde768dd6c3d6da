import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder to serve from a command line such as `pier ~/site` (packaged) or
 * `electron . ~/site` (development): the last argument that is an existing
 * folder and not an option, resolved against the launching shell's cwd.
 * Returns null when there is none (a plain launch).
 */
export function folderFromArgv(argv: readonly string[], cwd: string, appPath: string | null): string | null {
  // argv[0] is the executable; in development argv[1] is the app folder itself.
  for (const arg of argv.slice(1).reverse()) {
    if (!arg || arg.startsWith('-')) continue;
    const candidate = path.resolve(cwd, arg);
    if (appPath && candidate === path.resolve(appPath)) continue;
    try {
      if (statSync(candidate).isDirectory()) return candidate;
    } catch {
      // Not a path that exists: some other argument (Chromium's, a URL).
    }
  }
  return null;
}
