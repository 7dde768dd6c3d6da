import type { PierApi } from '../app/contract';

// The preload puts the app's API on window; it is the renderer's only way out.
declare global {
  interface Window {
    pier: PierApi;
  }
}

/** The app's API. Read on each call, so a test can install its stand-in before the first one. */
export function pier(): PierApi {
  return window.pier;
}
