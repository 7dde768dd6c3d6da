import type { Notice, PierApi } from '../../app/contract';
import { createStore, useStore } from './create-store';

const noticesStore = createStore<readonly Notice[]>([]);
// Notices raised by the window itself (a failed action): dismissing them needs no call to main.
const localIds = new Set<string>();
let nextLocalId = 1;

export function useNotices(): readonly Notice[] {
  return useStore(noticesStore);
}

function add(notice: Notice): void {
  noticesStore.update((list) => (list.some((n) => n.id === notice.id) ? list : [...list, notice]));
}

/** Show a message that belongs to no one place in the window, e.g. why a dropped folder could not be served. */
export function showNotice(message: string, level: Notice['level'] = 'error'): void {
  // The same failure twice (e.g. two drops of one file) shows once.
  if (noticesStore.get().some((n) => localIds.has(n.id) && n.message === message)) return;
  const id = `window-${nextLocalId++}`;
  localIds.add(id);
  add({ id, level, message });
}

export function dismissNotice(api: PierApi, id: string): void {
  noticesStore.update((list) => list.filter((n) => n.id !== id));
  if (localIds.delete(id)) return;
  api.dismissNotice(id).catch((error: unknown) => console.error('Could not dismiss notice', error));
}

/** Show what main raised before the window listened, and what it raises later. Call once at startup. */
export function connectNotices(api: PierApi): void {
  api.onNotice(add);
  api.getNotices().then(
    (list) => list.forEach(add),
    (error: unknown) => console.error('Could not load notices', error),
  );
}
