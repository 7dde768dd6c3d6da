/**
 * `pier export DIR [serve flags] --to caddy|nginx [--out FILE]`: print (or
 * save) a Caddyfile or an nginx server block that reproduces the server
 * `pier serve DIR [serve flags]` would run.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

import { Option, type Command } from 'commander';

import { describeIssues, type ServerOptions } from './contract';
import { checkFolder } from './folder';
import { exportConfig, type ExportOptions, type ExportTarget } from './export';

/** What cli.ts lends this command, so both commands share one option list and one flags → options mapping. */
export interface ExportCommandDeps<Flags> {
  /** Adds the serve command's server options (port, spa, headers, proxies…) to a command. */
  addServerOptions(command: Command): Command;
  /** The server options those flags describe, for a checked folder. */
  serverOptionsFrom(root: string, flags: Flags): ReturnType<typeof ServerOptions.safeParse>;
  /** An error main() reports with exit code 2 (usage) or 1 (could not do it). */
  usage(message: string): Error;
  failure(message: string): Error;
}

interface ExportFlags {
  to: ExportTarget;
  out?: string;
}

/**
 * A bcrypt hash of the password from `caddy hash-password` when caddy is on
 * this machine (the password goes in on stdin, never on a command line), or
 * undefined: the export then hashes it itself (scrypt for Caddy, {SSHA} for nginx).
 */
function caddyBcrypt(password: string): string | undefined {
  const out = spawnSync('caddy', ['hash-password'], { input: `${password}\n`, encoding: 'utf8', timeout: 30_000 });
  const hash = out.status === 0 ? out.stdout.trim().split('\n').pop()?.trim() : undefined;
  if (!hash) return undefined;
  // Caddy 2.6 prints the hash itself; earlier versions printed it base64-encoded.
  if (hash.startsWith('$2')) return hash;
  const decoded = Buffer.from(hash, 'base64').toString('utf8');
  return decoded.startsWith('$2') ? decoded : undefined;
}

export function registerExportCommand<Flags>(program: Command, deps: ExportCommandDeps<Flags>): void {
  const command = program
    .command('export')
    .description('print a Caddyfile or an nginx server block that serves the folder as `pier serve` would (same flags)')
    .argument('[dir]', 'the folder to serve', '.');
  deps
    .addServerOptions(command)
    .addOption(new Option('--to <server>', 'the server to write a config for').choices(['caddy', 'nginx']).makeOptionMandatory())
    .option('--out <file>', 'write the config to this file instead of printing it')
    .action(async (dir: string, flags: Flags & ExportFlags) => {
      const folder = await checkFolder(dir);
      if (!folder.ok) throw deps.failure(folder.message);
      const options = deps.serverOptionsFrom(folder.value, flags);
      if (!options.success) throw deps.usage(describeIssues(options.error));
      const exportOptions: ExportOptions = {};
      if (options.data.auth && flags.to === 'caddy') exportOptions.passwordHash = caddyBcrypt(options.data.auth.password);
      const exported = exportConfig(options.data, flags.to, exportOptions);
      let text = exported.text;
      for (const file of exported.files ?? []) {
        const body = file.content.trimEnd().replace(/^/gm, '#   ');
        text += `\n# ${file.name} (write these lines, without the "#   ", to that file):\n${body}\n`;
      }
      if (flags.out) {
        try {
          await writeFile(flags.out, text);
        } catch (error) {
          throw deps.failure(`Could not write ${flags.out}: ${(error as Error).message}`);
        }
        process.stderr.write(`pier: wrote ${flags.out}\n`);
      } else {
        process.stdout.write(text);
      }
      for (const note of exported.notes) process.stderr.write(`pier: note: ${note}\n`);
    });
}
