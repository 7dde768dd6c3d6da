import type { ErrorCode, ServerState, ServerStatus } from '../app/contract';

export const STATUS_LABEL: Record<ServerStatus, string> = {
  running: 'Running',
  stopped: 'Stopped',
  starting: 'Starting…',
  error: 'Error',
};

// A few words for the sidebar, where the full message doesn't fit.
const SHORT_ERROR: Partial<Record<ErrorCode, string>> = {
  PORT_IN_USE: 'port in use',
  PORT_FORBIDDEN: 'port not allowed',
  NO_FREE_PORT: 'no free port',
  FOLDER_MISSING: 'folder missing',
  NOT_A_FOLDER: 'not a folder',
  FOLDER_UNREADABLE: 'folder unreadable',
  TLS_FAILED: 'HTTPS failed',
  LISTEN_FAILED: 'could not listen',
};

/** What the sidebar shows after a server's name: ":8080", "port in use", "stopped". */
export function serverListDetail(server: ServerState): string {
  switch (server.status) {
    case 'running':
      return server.port === null ? 'running' : `:${server.port}`;
    case 'starting':
      return 'starting…';
    case 'stopped':
      return 'stopped';
    case 'error':
      return (server.error && SHORT_ERROR[server.error.code]) ?? 'error';
  }
}

export const isUp = (server: ServerState) => server.status === 'running' || server.status === 'starting';

/** Errors that another folder fixes (the error alert offers to choose one). */
export const isFolderError = (code: ErrorCode | undefined) => code === 'FOLDER_MISSING' || code === 'NOT_A_FOLDER' || code === 'FOLDER_UNREADABLE';
