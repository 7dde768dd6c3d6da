import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';

import { events, type LogBatch, type Notice, type ServerState } from '../../app/contract';
import { createController, type Controller, type Desktop } from '../../main/controller';
import { engineForker, exited } from '../helpers/engine';

interface Sent {
  channel: string;
  payload: unknown;
  /** performance.now() when it was sent. */
  at: number;
}

/** A controller as the app has one, around a real engine host in its own process. */
async function setup(t: TestContext) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pier-controller-'));
  const userDataDir = path.join(dir, 'userData');
  const site = path.join(dir, 'site');
  await mkdir(site, { recursive: true });
  await writeFile(path.join(site, 'index.html'), '<h1>site</h1>');
  const sent: Sent[] = [];
  const opened: string[] = [];
  let clipboard = '';
  const engines = engineForker();
  const desktop: Desktop = {
    userDataDir,
    forkEngine: engines.fork,
    pickFolder: async () => site,
    // No test here saves an export (test/e2e/export.spec.ts does): the user cancels.
    pickSavePath: async () => null,
    openExternal: async (url) => void opened.push(url),
    writeClipboard: (text) => void (clipboard = text),
    showFolder: async () => undefined,
    send: (channel, payload) => void sent.push({ channel, payload, at: performance.now() }),
    lanAddresses: [],
  };
  const controllers: Controller[] = [];
  const launch = async () => {
    const controller = await createController(desktop);
    controllers.push(controller);
    return controller;
  };
  t.after(async () => {
    for (const c of controllers) await c.shutdown();
    engines.killAll();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, userDataDir, site, sent, opened, clipboard: () => clipboard, launch, engines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Wait until `check` holds (polling), or fail naming `what`. */
async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const batchesOf = (sent: Sent[]) => sent.filter((s) => s.channel === events.onLog).flatMap((s) => s.payload as LogBatch[]);

test('the engine runs in a process of its own, and quitting ends it', async (t) => {
  const { launch, engines } = await setup(t);
  const controller = await launch();
  const pid = controller.enginePid();
  assert.ok(pid && pid !== process.pid);
  assert.equal(engines.children.length, 1);
  await controller.shutdown();
  await exited(engines.children[0]!);
  assert.equal(controller.enginePid(), undefined);
});

test('a new server starts at once, is saved, and comes back running after a relaunch', async (t) => {
  const { site, userDataDir, launch } = await setup(t);
  const first = await launch();
  const created = await first.handlers.createServer({ root: site });
  assert.ok(created.ok);
  assert.equal(created.value.status, 'running');
  assert.equal(created.value.config.name, 'site');
  const port = created.value.port;
  const res = await fetch(created.value.url ?? '');
  assert.equal(await res.text(), '<h1>site</h1>');
  await first.shutdown();
  await assert.rejects(fetch(created.value.url ?? ''), 'quitting stopped the server');
  const saved = JSON.parse(await readFile(path.join(userDataDir, 'settings.json'), 'utf8'));
  assert.equal(saved.servers.length, 1);
  assert.equal(saved.servers[0].running, true, 'quitting saves what was running before stopping it');

  const second = await launch();
  const [restored] = await second.handlers.listServers();
  assert.equal(restored?.status, 'running');
  assert.equal(restored?.port, port, 'same port as yesterday (it was the first free one then and now)');
});

test('a stopped server stays stopped after a relaunch', async (t) => {
  const { site, launch } = await setup(t);
  const first = await launch();
  const created = await first.handlers.createServer({ root: site });
  assert.ok(created.ok);
  await first.handlers.stopServer(created.value.id);
  await first.shutdown();
  const second = await launch();
  const [restored] = await second.handlers.listServers();
  assert.equal(restored?.status, 'stopped');
});

test('an unreadable settings file is kept aside and the user is told', async (t) => {
  const { userDataDir, sent, launch } = await setup(t);
  await mkdir(userDataDir, { recursive: true });
  await writeFile(path.join(userDataDir, 'settings.json'), '{"version": 1, "servers": [');
  const controller = await launch();
  const notices = await controller.handlers.getNotices();
  assert.equal(notices.length, 1);
  assert.match(notices[0]?.message ?? '', /could not be read.*kept as .*settings\.corrupt-/);
  assert.ok(sent.some((s) => s.channel === events.onNotice && (s.payload as Notice).level === 'warning'));
  const files = await readdir(userDataDir);
  const backup = files.find((f) => f.startsWith('settings.corrupt-'));
  assert.ok(backup, 'the bad file was kept');
  assert.equal(await readFile(path.join(userDataDir, backup), 'utf8'), '{"version": 1, "servers": [');
  await controller.handlers.dismissNotice(notices[0]?.id ?? '');
  assert.deepEqual(await controller.handlers.getNotices(), []);
});

test('a taken port is an error with the next free port, and "use port N" fixes it', async (t) => {
  const { site, launch } = await setup(t);
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => blocker.close(resolve)));
  const taken = (blocker.address() as net.AddressInfo).port;
  const controller = await launch();
  const created = await controller.handlers.createServer({ root: site, port: taken });
  assert.ok(created.ok, 'the server exists even though it could not start');
  assert.equal(created.value.status, 'error');
  assert.equal(created.value.error?.code, 'PORT_IN_USE');
  assert.match(created.value.error?.message ?? '', new RegExp(`^Port ${taken} is already in use\\. The next free port is \\d+\\.$`));
  const check = await controller.handlers.checkPort(taken, false, null);
  assert.equal(check.free, false);
  const suggested = created.value.error?.suggestedPort;
  assert.ok(suggested);
  await controller.handlers.updateServer(created.value.id, { port: suggested });
  const started = await controller.handlers.startServer(created.value.id);
  assert.ok(started.ok);
  assert.equal(started.value.port, suggested);
  assert.deepEqual(await controller.handlers.checkPort(suggested, false, created.value.id), { free: true, suggestedPort: null });
});

test('only a running server’s own URLs are opened, copied or turned into a QR code', async (t) => {
  const { site, opened, clipboard, launch } = await setup(t);
  const controller = await launch();
  const created = await controller.handlers.createServer({ root: site });
  assert.ok(created.ok);
  const { id, url } = created.value;
  assert.deepEqual(await controller.handlers.openUrl(id, 'local'), { ok: true, value: null });
  assert.deepEqual(opened, [url]);
  assert.deepEqual(await controller.handlers.copyUrl(id, 'local'), { ok: true, value: url });
  assert.equal(clipboard(), url);
  const qr = await controller.handlers.qrCode(id, 'local');
  assert.ok(qr.ok && qr.value.startsWith('<svg'));
  const noLan = await controller.handlers.openUrl(id, 3);
  assert.equal(noLan.ok, false);
  await controller.handlers.stopServer(id);
  const stopped = await controller.handlers.openUrl(id, 'local');
  assert.ok(!stopped.ok && stopped.code === 'NOT_RUNNING');
  assert.equal(opened.length, 1);
  const missing = await controller.handlers.openUrl('nope', 'local');
  assert.ok(!missing.ok && missing.code === 'UNKNOWN_SERVER');
});

test('request logs are pulled in coalesced batches that carry the counters; no snapshot is needed for them', async (t) => {
  const { site, sent, launch } = await setup(t);
  const controller = await launch();
  const created = await controller.handlers.createServer({ root: site });
  assert.ok(created.ok);
  await settle();
  sent.length = 0;
  await Promise.all(Array.from({ length: 200 }, () => fetch(created.value.url ?? '').then((r) => r.text())));
  await until('200 entries in log batches', () => batchesOf(sent).flatMap((b) => b.entries).length >= 200);
  await new Promise((resolve) => setTimeout(resolve, 250));
  const logMessages = sent.filter((s) => s.channel === events.onLog);
  const batches = batchesOf(sent);
  assert.equal(batches.flatMap((b) => b.entries).length, 200);
  // Coalesced: never two log messages within one pull interval, however fast the requests came.
  const times = logMessages.map((m) => m.at);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 95, `log messages ${times[i]! - times[i - 1]!} ms apart`);
  assert.ok(logMessages.length < 200 / 10, `200 requests took ${logMessages.length} messages`);
  assert.equal(batches.at(-1)?.counters.requests, 200);
  assert.equal(batches.at(-1)?.counters.s2xx, 200);
  assert.ok(batches.every((b) => b.dropped === undefined), 'nothing was dropped');
  assert.equal(sent.filter((s) => s.channel === events.onServers).length, 0, 'requests alone send no servers snapshot');
  assert.equal((await controller.handlers.getLog(created.value.id)).length, 200);
  await controller.handlers.clearLog(created.value.id);
  assert.equal((await controller.handlers.getLog(created.value.id)).length, 0);
});

test('serving a folder twice reuses its server and selects it', async (t) => {
  const { site, sent, launch } = await setup(t);
  const controller = await launch();
  await controller.serveFolder(site);
  await controller.serveFolder(`${site}/`);
  await settle();
  const servers = await controller.handlers.listServers();
  assert.equal(servers.length, 1);
  assert.equal(servers[0]?.status, 'running');
  const selects = sent.filter((s) => s.channel === events.onSelectServer).map((s) => s.payload);
  assert.deepEqual(selects, [servers[0]?.id, servers[0]?.id]);
  await controller.serveFolder(path.join(site, 'missing'));
  const notices = await controller.handlers.getNotices();
  assert.match(notices.at(-1)?.message ?? '', /does not exist/);
});

test('when the engine process dies, the window is told and the same servers come back on the same ports', async (t) => {
  const { site, sent, launch, engines } = await setup(t);
  const controller = await launch();
  const running = await controller.handlers.createServer({ root: site });
  assert.ok(running.ok && running.value.url);
  const idle = await controller.handlers.createServer({ root: site, name: 'idle', spa: true });
  assert.ok(idle.ok);
  await controller.handlers.stopServer(idle.value.id);
  for (let i = 0; i < 3; i++) await fetch(`${running.value.url}?n=${i}`).then((r) => r.text());
  await until('the three requests in a batch', () => batchesOf(sent).some((b) => b.counters.requests === 3));
  const before = await controller.handlers.listServers();

  const pid = controller.enginePid();
  assert.ok(pid);
  process.kill(pid, 'SIGKILL');
  const notice = () => sent.find((s) => s.channel === events.onNotice && /stopped unexpectedly/.test((s.payload as Notice).message));
  await until('a notice', () => notice() !== undefined);
  assert.match(
    (notice()?.payload as Notice).message,
    /^Pier’s server engine stopped unexpectedly \(killed by SIGKILL\); your servers were started again\.$/,
  );
  assert.notEqual(controller.enginePid(), pid);
  assert.equal(engines.children.length, 2);

  // The same servers with the same settings; the running one on the same port, the stopped one stopped.
  const after = await controller.handlers.listServers();
  const strip = (list: ServerState[]) => list.map(({ id, config, status, port, url }) => ({ id, config, status, port, url }));
  assert.deepEqual(strip(after), strip(before));
  assert.equal((await fetch(running.value.url)).status, 200);

  // The count and the log's numbering go on from what the window had.
  await until('the fourth request in a batch', () => batchesOf(sent).some((b) => b.counters.requests === 4));
  const latest = batchesOf(sent).filter((b) => b.id === running.value.id).at(-1);
  assert.deepEqual(latest?.entries.map((e) => e.seq), [4]);
  assert.equal((await controller.handlers.listServers())[0]?.counters.requests, 4);
  assert.deepEqual((await controller.handlers.getLog(running.value.id)).map((e) => e.seq), [4]);
});
