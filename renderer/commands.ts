import { useEffect, useRef } from 'react';

import type { MenuCommand, ServerState } from '../app/contract';
import { pier } from './pier';
import { START_FAILURES } from './serve-folder';
import { isUp } from './server-status';
import { showNotice } from './stores/notices-store';
import { selectServer } from './stores/selection-store';

/** What a command needs to know about the window when it arrives. */
export interface CommandContext {
  servers: readonly ServerState[];
  selected: ServerState | null;
  openPreferences(): void;
}

/** The log's filter box (the requests section marks it for us): focused with its text selected, so typing replaces it. */
function focusFilter(): void {
  const filter = document.querySelector<HTMLInputElement>('[data-testid="log-filter"]');
  filter?.focus();
  filter?.select();
}

/** The server `step` places from the selected one, going round at either end. */
function neighbour(servers: readonly ServerState[], selected: ServerState | null, step: 1 | -1): ServerState | undefined {
  if (servers.length === 0) return undefined;
  const at = selected ? servers.findIndex((s) => s.id === selected.id) : -1;
  return servers[(at + step + servers.length) % servers.length];
}

/**
 * Carry out an application-menu command (each has a shortcut, listed in the
 * menu) on the selected server. Failures show as a notice, as the buttons'
 * do; a command with nothing to act on does nothing.
 */
export async function runCommand(command: MenuCommand, { servers, selected, openPreferences }: CommandContext): Promise<void> {
  switch (command.type) {
    case 'find':
      return focusFilter();
    case 'preferences':
      return openPreferences();
    case 'next-server':
    case 'previous-server': {
      const next = neighbour(servers, selected, command.type === 'next-server' ? 1 : -1);
      if (next) selectServer(next.id);
      return;
    }
    case 'select-server': {
      const target = servers[command.index];
      if (target) selectServer(target.id);
      return;
    }
  }
  if (!selected) return;
  switch (command.type) {
    case 'copy-url': {
      const result = await pier().copyUrl(selected.id, 'local');
      if (!result.ok) showNotice(result.message);
      return;
    }
    case 'open-in-browser': {
      const result = await pier().openUrl(selected.id, 'local');
      if (!result.ok) showNotice(result.message);
      return;
    }
    case 'start-stop': {
      const result = isUp(selected) ? await pier().stopServer(selected.id) : await pier().startServer(selected.id);
      // A failed start leaves the server in status `error`, which the pane shows with its fix.
      if (!result.ok && !START_FAILURES.has(result.code)) showNotice(result.message);
      return;
    }
  }
}

/** Listen for menu commands while the window shows; they act on what is on screen when they arrive. */
export function useMenuCommands(context: CommandContext): void {
  const latest = useRef(context);
  useEffect(() => {
    latest.current = context;
  });
  useEffect(() => pier().onCommand((command) => void runCommand(command, latest.current)), []);
}
