/**
 * The engine as the desktop app runs it, in its own process (engine-host.ts):
 * the servers, their settings (userData/settings.json, saved after every
 * change) and TLS material. It restores itself from the settings when it
 * starts, so an engine started again after a crash comes back with the same
 * servers, the running ones on the same ports. Plain Node: never electron.
 */
import path from 'node:path';

import { fail, ok, type Result } from '../app/contract';
import type { EngineApi, EngineEvent, EngineOptions } from '../app/engine-protocol';
import { exportConfig } from '../app/export';
import { harLog } from '../app/har';
import { logCsv } from '../app/log-csv';
import { requestDetails } from '../app/request-details-view';
import { LogPull } from '../app/log-pull';
import { lanInterfaces, type InterfaceTable } from '../app/lan';
import { findFreePort, isPortFree } from '../app/ports';
import { ServerManager } from '../app/server-manager';
import { SettingsStore } from '../app/settings-store';
import { TlsStore } from '../app/tls';
import { installTrust, trustStatus, uninstallTrust } from '../app/trust-store';
import pkg from '../package.json' with { type: 'json' };
import { oncePerTurn } from './once-per-turn';
import { autoSave, restoreServers } from './persistence';

/** Start the engine: restore the saved servers, then answer calls. `emit` carries events to main. */
export async function startEngine(options: EngineOptions, emit: (event: EngineEvent) => void): Promise<EngineApi> {
  const seam = seamTable(options);
  const addresses = () => lanInterfaces(seam ?? undefined);
  const { lanAddresses } = options;
  const manager = new ServerManager({
    tls: new TlsStore(path.join(options.userDataDir, 'tls')),
    lanAddresses: options.lanInterfaces
      ? () => addresses().map(({ address }) => address)
      : lanAddresses
        ? () => lanAddresses
        : undefined,
  });
  const store = new SettingsStore(path.join(options.userDataDir, 'settings.json'));
  const logs = new LogPull();
  const notify = (level: 'warning' | 'error', message: string) => emit({ type: 'notice', level, message });

  // Snapshots go out at most once per turn, however many servers changed.
  const pushServers = oncePerTurn(() => emit({ type: 'servers', servers: manager.list() }));
  manager.on('state', pushServers);
  manager.on('removed', (id) => {
    logs.forget(id);
    pushServers();
  });
  manager.on('requestError', (id, error) => console.error(`[pier engine] server ${id}: error while answering a request`, error));

  // One trust change at a time: two would race on the same certificate databases.
  let trustQueue: Promise<unknown> = Promise.resolve();
  const trustCall = async <T>(what: string, work: () => Promise<T>): Promise<Result<T>> => {
    const turn = trustQueue.then(work);
    // The next call waits for this one, whatever becomes of it.
    trustQueue = turn.then(
      () => undefined,
      () => undefined,
    );
    try {
      return ok(await turn);
    } catch (error) {
      console.error(`[pier engine] could not ${what}`, error);
      return fail('TLS_FAILED', `Pier could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const saver = autoSave(manager, store, (message) => notify('error', message));
  const restoreProblem = await restoreServers(manager, store);
  if (restoreProblem) notify('warning', restoreProblem);

  return {
    listServers: async () => manager.list(),
    getServer: async (id) => manager.state(id),
    createServer: async (input, start) => {
      const created = await manager.create(input);
      if (!created.ok || !start) return created;
      // A server that could not start (a taken port) still exists: its state carries the error and the fix.
      await manager.start(created.value.id);
      return manager.state(created.value.id);
    },
    updateServer: (id, patch) => manager.update(id, patch),
    removeServer: (id) => manager.remove(id),
    startServer: (id) => manager.start(id),
    stopServer: (id) => manager.stop(id),
    getLog: async (id) => manager.get(id)?.log.entries() ?? [],
    clearLog: async (id) => {
      const found = manager.find(id);
      if (!found.ok) return found;
      found.value.log.clear();
      // Clear starts the counting again too: the header's "6,500 requests" goes with the rows.
      found.value.log.resetCounters();
      logs.cleared(id, found.value.log);
      pushServers();
      return ok(null);
    },
    getRequestDetails: async (id, seq) => {
      const found = manager.find(id);
      if (!found.ok) return found;
      const { log } = found.value;
      const entry = log.entry(seq);
      const kept = entry && log.details.get(seq);
      return ok(entry && kept ? requestDetails(entry, kept, serverHost(found.value.state().url)) : null);
    },
    exportLog: async (id, format) => {
      const found = manager.find(id);
      if (!found.ok) return found;
      const { log, config } = found.value;
      const entries = log.entries();
      const base = config.name.replace(/[/\\\0:\p{Cc}]/gu, '-').slice(0, 100) || 'requests';
      if (format === 'csv') return ok({ text: logCsv(entries), fileName: `${base}-requests.csv` });
      const state = found.value.state();
      const har = harLog(entries, (seq) => log.details.get(seq), { version: pkg.version, host: serverHost(state.url), secure: config.https });
      return ok({ text: JSON.stringify(har, null, 2), fileName: `${base}-requests.har` });
    },
    checkPort: async (port, lan, exceptId) => {
      // The server being edited may hold the port itself; that doesn't count as taken.
      if (exceptId && manager.get(exceptId)?.state().port === port) return { free: true, suggestedPort: null };
      const host = lan ? '0.0.0.0' : '127.0.0.1';
      if (await isPortFree(port, host)) return { free: true, suggestedPort: null };
      return { free: false, suggestedPort: await findFreePort(host, port + 1) };
    },
    // The window changes only this user's stores; the machine's are `pier trust --system`, with a password prompt.
    trustStatus: () => trustCall('read the certificate stores', () => trustStatus(options.userDataDir)),
    trust: (action) =>
      trustCall(action === 'install' ? 'trust its certificate authority' : 'remove trust in its certificate authority', () =>
        action === 'install' ? installTrust(options.userDataDir, { system: false }) : uninstallTrust(options.userDataDir, { system: false }),
      ),
    lanAddresses: async () => addresses(),
    exportConfig: async (id, target) => {
      const found = manager.find(id);
      if (!found.ok) return found;
      // The port it runs on, when 'auto' picked one: the export then listens where the server does.
      const port = found.value.config.port === 'auto' ? (found.value.state().port ?? undefined) : undefined;
      const { text, files, notes } = exportConfig(found.value.config, target, { port });
      return ok(files ? { text, files, notes } : { text, notes });
    },
    pullLogs: async () => {
      const batches = [];
      for (const { id } of manager.list()) {
        const instance = manager.get(id);
        const batch = instance && logs.pull(id, instance.log);
        if (!batch) continue;
        if (instance.config.proxies.length > 0) batch.upstreams = instance.state().upstreams;
        batches.push(batch);
      }
      return batches;
    },
    shutdown: async () => {
      // Save first, with what was running, then stop: the next start brings them back.
      await saver.flush();
      saver.freeze();
      await manager.stopAll();
      return null;
    },
  };
}

/** host:port of a server's local URL, for requests whose Host header is not known. */
function serverHost(url: string | null): string {
  return url ? new URL(url).host : '127.0.0.1';
}

/** The test seams' addresses as a table of adapters, or null to read the machine's. */
function seamTable(options: EngineOptions): InterfaceTable | null {
  const asEntries = (list: string[]) => list.map((address) => ({ address, family: 'IPv4', internal: false }));
  if (options.lanInterfaces) {
    return Object.fromEntries(Object.entries(options.lanInterfaces).map(([name, list]) => [name, asEntries(list)]));
  }
  // Addresses without adapter names: all on one adapter whose name is unknown.
  if (options.lanAddresses) return { '': asEntries(options.lanAddresses) };
  return null;
}
