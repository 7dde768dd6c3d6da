/**
 * `pier trust`: make browsers on this computer trust Pier's local certificate
 * authority (or stop trusting it), so `pier serve --https` opens without a
 * warning. It says what it will change and asks first; `--yes` skips the
 * question, and without a terminal it refuses rather than act unasked.
 */
import { createInterface } from 'node:readline/promises';

import type { Command } from 'commander';

import type { TrustOutcome } from './contract';
import { pierDataDir } from './paths';

/** Exit codes: 0 done, 1 a store could not be changed, 2 usage (including "no terminal to ask on"). */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

interface TrustFlags {
  system?: boolean;
  uninstall?: boolean;
  print?: boolean;
  yes?: boolean;
}

/** What the command needs from outside; tests may replace any of it. */
export interface TrustCommandDeps {
  /** Pier's data folder (default `pierDataDir()`). */
  dataDir?: () => string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

/** Add `pier trust` to the CLI. */
export function registerTrustCommand(program: Command, deps: TrustCommandDeps = {}): Command {
  return program
    .command('trust')
    .description("trust Pier's local certificate authority in this user's browsers, so HTTPS servers open without a warning")
    .option('--system', "also trust it machine-wide (needs administrator rights)")
    .option('--uninstall', 'remove the trust that `pier trust` added')
    .option('--print', "print the path of the authority's certificate and nothing else")
    .option('-y, --yes', 'do not ask before changing anything')
    .action(async (flags: TrustFlags) => {
      process.exitCode = await runTrust(flags, deps);
    });
}

async function runTrust(flags: TrustFlags, deps: TrustCommandDeps): Promise<number> {
  const stdin = deps.stdin ?? process.stdin;
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const say = (line = '') => stdout.write(`${line}\n`);
  const complain = (line: string) => stderr.write(`pier: ${line}\n`);
  const dataDir = (deps.dataDir ?? pierDataDir)();
  const system = flags.system ?? false;

  if (flags.print && (flags.uninstall || flags.system)) {
    complain('--print only prints the certificate path; use it without --uninstall and --system.');
    return EXIT_USAGE;
  }
  // Loaded on demand: it pulls in certificate generation, which `pier serve` without --https never needs.
  const trust = await import('./trust-store');
  const status = await trust.trustStatus(dataDir);
  if (flags.print) {
    say(status.certPath);
    return 0;
  }

  const install = !flags.uninstall;
  const stores = status.stores.filter((store) => system || !store.system);
  const todo = stores.filter((store) => !store.unavailable && store.trusted !== install);
  const blocked = stores.filter((store) => store.unavailable);
  if (todo.length === 0) {
    for (const store of blocked) complain(`${store.label}: ${store.unavailable}`);
    if (blocked.length > 0 || stores.length === 0) {
      if (stores.length === 0) complain('Pier knows no certificate store on this system.');
      return EXIT_FAILED;
    }
    say(install ? 'Already trusted everywhere Pier can change:' : 'Nothing to remove:');
    for (const store of stores) say(`  - ${store.label}`);
    return 0;
  }
  const plan = [
    ...todo.map((store) => `${install ? 'add it to' : 'remove it from'} ${store.label}`),
    ...blocked.map((store) => `skip ${store.label}: ${store.unavailable}`),
  ];
  say(install ? "Pier will trust its local certificate authority:" : "Pier will remove trust in its local certificate authority:");
  say(`  ${status.certPath}`);
  say(`  SHA-256 ${status.fingerprint}`);
  say();
  for (const line of plan) say(`  - ${line}`);
  if (install) {
    say();
    say('Anyone with its key, which never leaves this computer, could then impersonate any website to these browsers.');
  }
  if (!system && status.stores.some((store) => store.system)) {
    say('The machine-wide store is left alone (add --system for it).');
  }

  if (!flags.yes) {
    if (!stdin.isTTY || !stdout.isTTY) {
      complain('Nothing was changed: there is no terminal to ask on. Run it again with --yes to go ahead.');
      return EXIT_USAGE;
    }
    const question = createInterface({ input: stdin, output: stdout });
    const answer = await question.question('Go ahead? [y/N] ').finally(() => question.close());
    if (!/^y(es)?$/i.test(answer.trim())) {
      say('Nothing was changed.');
      return 0;
    }
  }

  const outcome: TrustOutcome = install
    ? await trust.installTrust(dataDir, { system })
    : await trust.uninstallTrust(dataDir, { system });
  for (const change of outcome.changes) (change.ok ? say : complain)(change.message);
  const ok = outcome.changes.every((change) => change.ok);
  if (ok && install) say('Done. Restart the browser if it was open; phones install it from /.pier/trust on any Pier HTTPS server.');
  return ok ? 0 : EXIT_FAILED;
}

