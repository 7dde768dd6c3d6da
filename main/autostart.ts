/**
 * "Start Pier at login" on Linux: an XDG autostart entry,
 * `$XDG_CONFIG_HOME/autostart/pier.desktop` (~/.config/autostart when unset),
 * which GNOME, KDE, Xfce and the others start at login. Electron's login-item
 * API covers macOS and Windows only. Plain Node, so it is tested for real in a
 * temp folder.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { writeFileAtomically } from '../app/settings-store';

/**
 * Where the entry lives. The spec says a relative XDG_CONFIG_HOME is invalid
 * and must be ignored, so that falls back to ~/.config as an unset one does.
 */
export function autostartFile(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const configured = env.XDG_CONFIG_HOME;
  const config = configured && path.isAbsolute(configured) ? configured : path.join(home, '.config');
  return path.join(config, 'autostart', 'pier.desktop');
}

// The Desktop Entry spec's reserved characters: an argument with any of them is quoted.
const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/**
 * One argument of `Exec`, quoted as the Desktop Entry spec asks: in double
 * quotes when it has a reserved character, with `"`, `` ` ``, `$` and `\`
 * escaped by a backslash inside the quotes. (The value as a whole is escaped
 * once more by {@link execValue}.)
 */
export function quoteExecArg(arg: string): string {
  if (arg !== '' && !RESERVED.test(arg)) return arg;
  return `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The `Exec` value for a command: each argument quoted, then escaped as any
 * string value of the file is (`\\`, `\n`, `\t`, `\r`), and `%` doubled so no
 * part of a path reads as a field code like `%f`.
 */
export function execValue(command: readonly string[]): string {
  return command
    .map(quoteExecArg)
    .join(' ')
    .replace(/[\\\n\t\r]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c] ?? c)
    .replace(/%/g, '%%');
}

/** The whole entry for a command such as [process.execPath] or, unpackaged, [electron, appPath]. */
export function desktopEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Pier',
    'Comment=Local web servers for any folder',
    `Exec=${execValue(command)}`,
    'Icon=pier',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Whether Pier starts at login: the entry exists and neither `Hidden=true`
 * nor `X-GNOME-Autostart-enabled=false` (what desktop settings write to turn
 * an entry off without removing it) says otherwise.
 */
export async function autostartEnabled(file = autostartFile()): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    // No entry (or none Pier can read): nothing will start Pier at login.
    return false;
  }
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(.*?)\\s*$`, 'm').exec(text)?.[1];
  return value('Hidden') !== 'true' && value('X-GNOME-Autostart-enabled') !== 'false';
}

/**
 * Turn starting at login on (write the entry, atomically, replacing one that
 * was turned off) or off (remove it: Pier wrote it, and a missing entry is
 * what "off" means when no system-wide one exists). Throws the file system's error.
 */
export async function setAutostart(on: boolean, command: readonly string[], file = autostartFile()): Promise<void> {
  if (on) await writeFileAtomically(file, desktopEntry(command), 0o644);
  else await fs.rm(file, { force: true });
}
