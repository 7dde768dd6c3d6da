import type { TrustStatus } from '../../app/contract';
import { pier } from '../pier';
import { createStore, useStore } from './create-store';

/** Pier's certificate authority and where it is trusted, as last read; one for the whole machine. */
export type TrustState = { state: 'unknown' } | { state: 'loading' } | { state: 'loaded'; status: TrustStatus } | { state: 'failed'; message: string };

const trustStore = createStore<TrustState>({ state: 'unknown' });
let loading: Promise<void> | null = null;

/** Read the trust status once (or again with `force`); the first HTTPS server shown asks for it. */
export function loadTrust(force = false): Promise<void> {
  if (loading && !force) return loading;
  if (!force && trustStore.get().state === 'loaded') return Promise.resolve();
  if (trustStore.get().state !== 'loaded') trustStore.set({ state: 'loading' });
  loading = pier()
    .trustStatus()
    .then(
      (result) => trustStore.set(result.ok ? { state: 'loaded', status: result.value } : { state: 'failed', message: result.message }),
      (error: unknown) => trustStore.set({ state: 'failed', message: String(error) }),
    )
    .finally(() => {
      loading = null;
    });
  return loading;
}

/** After an install or removal: the status that came back with its outcome. */
export function setTrustStatus(status: TrustStatus): void {
  trustStore.set({ state: 'loaded', status });
}

export function useTrust(): TrustState {
  return useStore(trustStore);
}

/** Stores the window can change: this user's, and available. */
export const changeable = (status: TrustStatus) => status.stores.filter((store) => !store.system && store.unavailable === null);

/** Trusted everywhere the window can trust it (and in at least one place). */
export function trustedHere(status: TrustStatus): boolean {
  const stores = changeable(status);
  return stores.length > 0 && stores.every((store) => store.trusted);
}
