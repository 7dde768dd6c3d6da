/**
 * IPC channel names, kept apart from contract.ts only so the preload can
 * import them without bundling zod. contract.ts re-exports them and pairs each
 * request with its argument schema; add a channel here and there together.
 */

/** Requests from the window (ipcRenderer.invoke → ipcMain.handle). */
export const requestChannels = {
  listServers: 'pier:list-servers',
  pickFolder: 'pier:pick-folder',
  createServer: 'pier:create-server',
  updateServer: 'pier:update-server',
  removeServer: 'pier:remove-server',
  startServer: 'pier:start-server',
  stopServer: 'pier:stop-server',
  getLog: 'pier:get-log',
  clearLog: 'pier:clear-log',
  openUrl: 'pier:open-url',
  copyUrl: 'pier:copy-url',
  qrCode: 'pier:qr-code',
  revealFolder: 'pier:reveal-folder',
  trustQrCode: 'pier:trust-qr-code',
  trustStatus: 'pier:trust-status',
  trust: 'pier:trust',
  networkAddresses: 'pier:network-addresses',
  checkPort: 'pier:check-port',
  getNotices: 'pier:get-notices',
  dismissNotice: 'pier:dismiss-notice',
  exportConfig: 'pier:export-config',
  saveExport: 'pier:save-export',
  copyText: 'pier:copy-text',
  getRequestDetails: 'pier:get-request-details',
  saveLog: 'pier:save-log',
  getPreferences: 'pier:get-preferences',
  setPreferences: 'pier:set-preferences',
} as const;

/** Pushes from main (webContents.send → ipcRenderer.on). */
export const events = {
  onServers: 'pier:servers',
  onLog: 'pier:log',
  onNotice: 'pier:notice',
  onSelectServer: 'pier:select-server',
  onCommand: 'pier:menu-command',
} as const;
