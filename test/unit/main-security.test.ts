import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import type { IpcMainInvokeEvent, WebContents } from 'electron';

import { requests } from '../../app/contract';
import { type Handlers } from '../../main/controller';
import { isTrustedSender, setupIpc, type IpcMainLike } from '../../main/ipc';
import { menuTemplate } from '../../main/menu';
import { guardContents, sameDocument, type GuardedContents } from '../../main/security';
import { windowOptions } from '../../main/window';

const PAGE = 'file:///opt/Pier/resources/app/dist/renderer/index.html';

test('the window is secure by default', () => {
  const options = windowOptions('/app/preload.cjs', false);
  const web = options.webPreferences ?? {};
  assert.equal(web.contextIsolation, true);
  assert.equal(web.sandbox, true);
  assert.equal(web.nodeIntegration, false);
  assert.equal(web.nodeIntegrationInSubFrames, false);
  assert.equal(web.webSecurity, true);
  assert.equal(web.webviewTag, false);
  assert.equal(web.allowRunningInsecureContent, false);
  assert.equal(web.preload, '/app/preload.cjs');
  assert.notEqual(windowOptions('/p', true).backgroundColor, options.backgroundColor, 'dark mode has its own background');
});

/** A WebContents stand-in that records the guards and lets a test fire events at them. */
function fakeContents() {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on(name: string, listener: (...args: unknown[]) => void) {
      listeners.set(name, listener);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      openHandler = handler;
    },
  };
  const fire = (name: string, ...args: unknown[]) => {
    let prevented = false;
    const event = { preventDefault: () => (prevented = true), url: args[0] };
    listeners.get(name)?.(event, ...args);
    return prevented;
  };
  return { contents: contents as unknown as GuardedContents, fire, open: (url: string) => openHandler?.({ url }) };
}

test('navigation away from the app page and new windows are blocked', () => {
  const { contents, fire, open } = fakeContents();
  guardContents(contents, (url) => sameDocument(PAGE, url));
  assert.equal(fire('will-navigate', 'https://example.com/'), true);
  assert.equal(fire('will-navigate', 'http://127.0.0.1:8080/'), true, 'even a served site never replaces the app');
  assert.equal(fire('will-navigate', 'file:///etc/passwd'), true);
  assert.equal(fire('will-navigate', `${PAGE}#settings`), false, 'the app page itself may reload');
  assert.equal(fire('will-redirect', 'https://example.com/'), true);
  assert.equal(fire('will-frame-navigate', 'https://example.com/'), true);
  assert.equal(fire('will-attach-webview', 'about:blank'), true);
  assert.deepEqual(open('https://example.com/'), { action: 'deny' });
});

test('sameDocument matches only the app page', () => {
  assert.equal(sameDocument(PAGE, PAGE), true);
  assert.equal(sameDocument(PAGE, `${PAGE}?x=1`), true);
  assert.equal(sameDocument(PAGE, 'file:///opt/Pier/resources/app/dist/renderer/other.html'), false);
  assert.equal(sameDocument(PAGE, 'not a url'), false);
});

function ipcHarness() {
  const registered = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const ipcMain = {
    handle: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) => void registered.set(channel, listener),
    removeHandler: (channel: string) => void registered.delete(channel),
  } as unknown as IpcMainLike;
  const mainFrame = { url: PAGE };
  const contents = { mainFrame } as unknown as WebContents;
  const calls: unknown[][] = [];
  const handlers = Object.fromEntries(
    Object.keys(requests).map((name) => [name, async (...args: unknown[]) => (calls.push([name, ...args]), 'handled')]),
  ) as unknown as Handlers;
  const dispose = setupIpc(ipcMain, { contents: () => contents, isAppUrl: (url) => sameDocument(PAGE, url) }, handlers);
  const invoke = (name: keyof typeof requests, event: Partial<IpcMainInvokeEvent>, ...args: unknown[]) => {
    const listener = registered.get(requests[name].channel);
    assert.ok(listener, `a handler for ${name}`);
    return listener(event, ...args);
  };
  return { registered, contents, mainFrame, calls, invoke, dispose };
}

test('every request of the contract has a handler', () => {
  const { registered, dispose } = ipcHarness();
  assert.deepEqual([...registered.keys()].sort(), Object.values(requests).map((r) => r.channel).sort());
  dispose();
  assert.equal(registered.size, 0);
});

test('IPC from another window, a subframe or a foreign page is refused', async () => {
  const { contents, mainFrame, calls, invoke } = ipcHarness();
  const otherContents = { mainFrame: { url: PAGE } };
  await assert.rejects(async () => invoke('listServers', { sender: otherContents as never, senderFrame: mainFrame as never }), /did not come from Pier's window/);
  await assert.rejects(async () => invoke('listServers', { sender: contents, senderFrame: { url: PAGE } as never }), /did not come/);
  const navigatedAway = { sender: contents, senderFrame: mainFrame as never };
  mainFrame.url = 'https://evil.example/';
  await assert.rejects(async () => invoke('listServers', navigatedAway), /did not come/);
  mainFrame.url = PAGE;
  assert.equal(await invoke('listServers', navigatedAway), 'handled');
  assert.deepEqual(calls, [['listServers']]);
  assert.equal(isTrustedSender({ sender: contents, senderFrame: null } as never, { contents: () => contents, isAppUrl: () => true }), false);
});

test('arguments are parsed with the contract schemas before a handler sees them', async () => {
  const { contents, mainFrame, calls, invoke } = ipcHarness();
  const event = { sender: contents, senderFrame: mainFrame as never };
  const bad: [keyof typeof requests, unknown[], RegExp][] = [
    ['updateServer', ['abc', { port: 70000 }], /port must be a number from 1 to 65535/],
    ['updateServer', ['abc', { evil: true }], /Unrecognized key/],
    ['startServer', ['../../etc'], /Unknown server/],
    ['openUrl', ['abc', 'javascript:alert(1)'], /Invalid/],
    ['createServer', [{ root: '' }], /Choose a folder/],
    ['checkPort', [0, false, null], /port must be/],
    ['listServers', ['extra'], /Too big/],
  ];
  for (const [name, args, message] of bad) {
    const reply = (await invoke(name, event, ...args)) as { ok: boolean; code: string; message: string };
    assert.equal(reply.ok, false, name);
    assert.equal(reply.code, 'INVALID_OPTIONS');
    assert.match(reply.message, message);
  }
  assert.deepEqual(calls, [], 'no handler ran for bad input');
  assert.equal(await invoke('openUrl', event, 'abc', 0), 'handled');
  assert.deepEqual(calls, [['openUrl', 'abc', 0]]);
});

test('the menu has the usual roles and a Serve a Folder shortcut', () => {
  let served = 0;
  for (const platform of ['darwin', 'linux', 'win32'] as const) {
    const menu = menuTemplate(platform, { serveFolder: () => served++, command: () => undefined }, false);
    const roles = JSON.stringify(menu);
    // Edit is spelled out (so Find can join it) with the Edit role's items.
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']) assert.ok(roles.includes(`"role":"${role}"`), role);
    assert.match(roles, /windowMenu/);
    assert.equal(roles.includes('toggleDevTools'), false, 'no dev tools in a packaged app');
    assert.equal(roles.includes('appMenu'), platform === 'darwin');
    const file = menu.find((m) => m.label === '&File');
    const item = (file?.submenu as Electron.MenuItemConstructorOptions[])[0];
    assert.equal(item?.accelerator, 'CmdOrCtrl+O');
    item?.click?.(undefined as never, undefined, undefined as never);
  }
  assert.equal(served, 3);
});

test('folderFromArgv finds the folder of a launch, ignoring options and the app path', async () => {
  const { folderFromArgv } = await import('../../main/launch-args');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-argv-'));
  try {
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(dir, 'site')));
    assert.equal(folderFromArgv(['/usr/bin/pier', 'site'], dir, null), path.join(dir, 'site'));
    assert.equal(folderFromArgv(['/electron', '/app', '--flag', 'site'], dir, '/app'), path.join(dir, 'site'));
    assert.equal(folderFromArgv(['/electron', dir], dir, dir), null, 'the app folder itself is not a folder to serve');
    assert.equal(folderFromArgv(['/usr/bin/pier'], dir, null), null);
    assert.equal(folderFromArgv(['/usr/bin/pier', 'missing'], dir, null), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
