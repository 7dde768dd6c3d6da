// Which Node `npm start` runs on. Electron 45 and its installer (@electron/get)
// declare Node 22.12 or newer; on older Node, `npm start` would build for a
// while and then fail in Electron's tooling, so it checks first. The CLI, the
// engine and the tests need only Node 20.19 (package.json "engines").

/** What Electron's packages ask for (`engines` of electron and @electron/get); test/unit/node-version.test.ts keeps it in step. */
export const APP_NODE = '22.12.0';

/** "v20.20.2" or "20.20.2" → [20, 20, 2]. */
function parts(version) {
  return version.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
}

/**
 * Null when `found` (a `process.version`) is `needed` or newer; else the
 * message that says which Node this is, which one is needed, and what still
 * works on this one.
 * @param {string} found
 * @param {string} [needed]
 * @returns {string | null}
 */
export function nodeVersionProblem(found, needed = APP_NODE) {
  const have = parts(found);
  const want = parts(needed);
  for (let i = 0; i < 3; i++) {
    if (have[i] > want[i]) return null;
    if (have[i] < want[i]) {
      return [
        `Pier: \`npm start\` needs Node.js ${needed} or newer (Electron's tooling asks for it), and this is Node.js ${found.replace(/^v/, '')}.`,
        '  • Install Node.js 22 (e.g. `nvm install 22`, or from https://nodejs.org), then run `npm start` again.',
        '  • The command-line server and the tests work on this Node (20.19 or newer): node bin/pier.js serve ./your-folder',
      ].join('\n');
    }
  }
  return null;
}
