// `npm start`: check Node, build, make sure the Electron binary is there
// (fetching it on first use), then launch Pier. Arguments after `--` go to the app, e.g.
// `npm start -- ~/code/site` opens with a server for that folder.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

import { electronBinary, electronDir } from './electron-binary.mjs';
import { nodeVersionProblem } from './node-version.mjs';

// Before the build: on too old a Node it would only fail later, in Electron's tooling.
const problem = nodeVersionProblem(process.version);
if (problem) {
  console.error(`\n${problem}\n`);
  process.exit(1);
}

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });

if (run('npm', ['run', 'build']).status !== 0) process.exit(1);

let binary = electronBinary();
if (!binary) {
  console.log('Pier: fetching the Electron binary (once)…');
  run(process.execPath, [path.join(electronDir, 'install.js')]);
  binary = electronBinary();
}
if (!binary) {
  console.error(
    [
      '',
      'Pier: the Electron binary could not be downloaded, so the app cannot start.',
      '  • Check that this machine can reach the internet (GitHub releases), then run `npm start` again.',
      '  • Behind a proxy or mirror: set ELECTRON_MIRROR (see https://www.electronjs.org/docs/latest/tutorial/installation).',
      '  • The command-line server works without it: npx pier serve ./your-folder',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const child = spawn(binary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
