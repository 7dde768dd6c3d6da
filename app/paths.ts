import os from 'node:os';
import path from 'node:path';

/**
 * Pier's own folder for settings and certificates, where the desktop app keeps
 * them too (Electron's userData for the product name "Pier"), so the CLI and
 * the app share one HTTPS certificate.
 */
export function pierDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Pier');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Pier');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Pier');
}
