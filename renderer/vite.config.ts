// The window's build. Electron loads it from file:// and the e2e harness serves
// it over http, so every URL in the output is relative (base './').
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // The CSP allows no inline script: keep the preload polyfill out of the HTML.
    modulePreload: { polyfill: false },
    // One CSS file next to the JS, never <style> tags (style-src 'self').
    cssCodeSplit: false,
    target: 'chrome130',
    sourcemap: true,
  },
});
