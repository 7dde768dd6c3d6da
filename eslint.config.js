// Lint keeps the layers apart (DESIGN.md): the engine never sees electron or
// React, the renderer takes only types from the engine, and raw IPC lives in
// the two files that wrap it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const engineOnly = {
  paths: [
    { name: 'electron', message: 'app/ is the engine: plain Node, no electron. Wire it up in main/.' },
    { name: 'react', message: 'app/ is the engine: no React.' },
    { name: 'react-dom', message: 'app/ is the engine: no React.' },
  ],
  patterns: [
    { group: ['**/main/**', '**/renderer/**'], message: 'app/ imports nothing from main/ or renderer/.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', '.scratch/', '.bench/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['app/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', engineOnly] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks to main only through window.pier.' }],
          patterns: [
            {
              // app/format.ts is pure string formatting, shared so the window and the CLI read alike;
              // app/contract.ts holds the schemas, so the window checks input with the engine's own rules.
              group: ['**/app/*', '**/app/**', '!**/app/format', '!**/app/contract'],
              allowTypeImports: true,
              message: 'The renderer takes only types from app/ (import type).',
            },
            { group: ['node:*'], message: 'The renderer never touches Node.' },
            { group: ['**/main/**'], message: 'The renderer talks to main only through window.pier.' },
          ],
        },
      ],
    },
  },
  {
    // The engine host and what it runs are a process of their own, in plain Node.
    files: ['main/engine-host.ts', 'main/engine-service.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', engineOnly] },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/engine-host.ts', 'main/engine-service.ts', 'main/ipc.ts', 'main/preload.ts', 'main/index.ts'],
    // index.ts only hands ipcMain to setupIpc; ipc.ts and preload.ts are the wrappers.
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Raw IPC lives only in main/ipc.ts and main/preload.ts.',
            },
          ],
        },
      ],
    },
  },
);
