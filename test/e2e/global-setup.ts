/**
 * Before any spec: is Chromium there? Without it every test would fail with
 * the same launch error; this fails the run once, saying how to install it.
 */
import { chromiumMissing } from '../helpers/chromium';

export default function globalSetup(): void {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
}
