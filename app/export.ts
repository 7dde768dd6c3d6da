/**
 * "A way out to production": a Caddyfile or an nginx server block that
 * reproduces a Pier server (root, SPA fallback, clean URLs, listing,
 * dotfiles, headers, presets, Basic auth, compression, proxy rules).
 *
 * Pure: no files read or written, no processes. The CLI (`pier export`) and
 * the window's Export button print or save what this returns.
 */
import type { ServerConfig, ServerOptions } from './contract';
import { caddyExport } from './export-caddy';
import type { ExportInput, ExportOptions, ExportResult, ExportTarget } from './export-common';
import { nginxExport } from './export-nginx';

export type { ExportFile, ExportOptions, ExportResult, ExportTarget } from './export-common';

/**
 * Write a Caddyfile (`caddy`) or an nginx `server {}` block for sites-enabled
 * (`nginx`, with the `map`/`geo` lines it needs before it, which belong to the
 * http context that sites-enabled files are included in) reproducing `config`.
 */
export function exportConfig(config: ServerConfig | ServerOptions, target: ExportTarget, options: ExportOptions = {}): ExportResult {
  const port = options.port ?? (config.port === 'auto' ? 8080 : config.port);
  const input: ExportInput = { config, port, options };
  return target === 'caddy' ? caddyExport(input) : nginxExport(input);
}

