import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ServerState } from '../../app/contract';
import { ServerConfig } from '../../app/contract';
import { trayMenuTemplate, trayTooltip, type TrayActions } from '../../main/tray-menu';

type Item = Electron.MenuItemConstructorOptions;

function server(id: string, name: string, status: ServerState['status'], extra: Partial<ServerState> = {}): ServerState {
  return {
    id,
    config: ServerConfig.parse({ id, name, root: `/sites/${name}` }),
    status,
    error: null,
    port: status === 'running' ? 8080 : null,
    url: status === 'running' ? 'http://127.0.0.1:8080/' : null,
    lanUrls: [],
    counters: { requests: 0, bytes: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 },
    build: null,
    upstreams: [],
    ...extra,
  };
}

function recorder(): { actions: TrayActions; calls: string[] } {
  const calls: string[] = [];
  const actions: TrayActions = {
    start: (id) => calls.push(`start ${id}`),
    stop: (id) => calls.push(`stop ${id}`),
    openInBrowser: (id) => calls.push(`open ${id}`),
    copyUrl: (id) => calls.push(`copy ${id}`),
    showWindow: () => calls.push('show'),
    quit: () => calls.push('quit'),
  };
  return { actions, calls };
}

const click = (item: Item | undefined) => item?.click?.(undefined as never, undefined, undefined as never);
const sub = (item: Item | undefined) => (item?.submenu ?? []) as Item[];
const labels = (items: Item[]) => items.map((item) => (item.type === 'separator' ? '—' : `${item.label}${item.enabled === false ? ' (disabled)' : ''}`));

test('each server is listed with its state, its URL or error, and what can be done with it', () => {
  const { actions, calls } = recorder();
  const menu = trayMenuTemplate(
    [
      server('a', 'my-site', 'running'),
      server('b', 'R&D mock-ups', 'stopped'),
      server('c', 'docs', 'error', { error: { code: 'PORT_IN_USE', message: 'Port 8081 is in use by another program.' } }),
    ],
    actions,
  );
  assert.deepEqual(labels(menu), ['my-site — Running', 'R&&D mock-ups — Stopped', 'docs — Error', '—', 'Show Pier', 'Quit Pier (stops all servers)']);

  const running = sub(menu[0]);
  assert.deepEqual(labels(running), ['http://127.0.0.1:8080/ (disabled)', '—', 'Stop', 'Open in Browser', 'Copy URL']);
  for (const item of running) click(item);
  assert.deepEqual(calls.splice(0), ['stop a', 'open a', 'copy a']);

  const stopped = sub(menu[1]);
  assert.deepEqual(labels(stopped), ['Not running (disabled)', '—', 'Start', 'Open in Browser (disabled)', 'Copy URL (disabled)']);
  click(stopped[2]);
  assert.deepEqual(calls.splice(0), ['start b']);

  assert.deepEqual(labels(sub(menu[2])).slice(0, 3), ['Port 8081 is in use by another program. (disabled)', '—', 'Start']);

  click(menu.find((item) => item.id === 'show'));
  click(menu.find((item) => item.id === 'quit'));
  assert.deepEqual(calls, ['show', 'quit']);
});

test('a server that is starting can be stopped; with no servers the menu says so', () => {
  const { actions } = recorder();
  assert.deepEqual(labels(sub(trayMenuTemplate([server('a', 'site', 'starting')], actions)[0])).slice(0, 3), ['Starting… (disabled)', '—', 'Stop']);
  assert.deepEqual(labels(trayMenuTemplate([], actions)), ['No servers yet (disabled)', '—', 'Show Pier', 'Quit Pier (stops all servers)']);
});

test('the tooltip counts the running servers', () => {
  assert.equal(trayTooltip([]), 'Pier — no servers running');
  assert.equal(trayTooltip([server('a', 'a', 'running'), server('b', 'b', 'stopped')]), 'Pier — 1 server running');
  assert.equal(trayTooltip([server('a', 'a', 'running'), server('b', 'b', 'running')]), 'Pier — 2 servers running');
});
