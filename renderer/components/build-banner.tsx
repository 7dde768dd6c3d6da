import type { DetectedBuild, Preset, ServerState } from '../../app/contract';
import { pier } from '../pier';
import { START_FAILURES } from '../serve-folder';
import { showNotice } from '../stores/notices-store';
import { InfoIcon } from './icons';
import { usePending } from './use-pending';

const KIND_LABEL: Record<DetectedBuild['kind'], string> = {
  unity: 'a Unity WebGL build',
  godot: 'a Godot web export',
};

const NEEDS: Record<Preset, string> = {
  unity: 'the Unity preset',
  'cross-origin-isolated': 'cross-origin isolation',
};

/** The presets a recognized build needs that are off. */
export function missingPresets(server: ServerState): Preset[] {
  return server.build?.presets.filter((preset) => !server.config.presets.includes(preset)) ?? [];
}

/**
 * "This looks like a Unity WebGL build": shown while a build Pier recognized
 * in the folder needs a preset that is off. Turning it on applies at once.
 */
export function BuildBanner({ server }: { server: ServerState }) {
  const [pending, run] = usePending();
  const build = server.build;
  const missing = missingPresets(server);
  if (!build || missing.length === 0) return null;
  const running = server.status === 'running';

  const turnOn = () =>
    run(async () => {
      const result = await pier().updateServer(server.id, { presets: [...server.config.presets, ...missing] });
      // A restart that fails to listen shows as the server's own error, with its fix.
      if (!result.ok && !START_FAILURES.has(result.code)) showNotice(result.message);
    });

  return (
    <div className="callout callout-info" role="status">
      <InfoIcon />
      <div className="callout-body">
        <p className="callout-title">
          This looks like {KIND_LABEL[build.kind]} (<span className="mono">{build.evidence}</span>). It needs{' '}
          {missing.map((preset) => NEEDS[preset]).join(' and ')} to load.
        </p>
        <p className="callout-text">{running ? 'Turning it on restarts the server.' : 'It applies the next time the server starts.'}</p>
      </div>
      <button type="button" className="btn btn-primary" disabled={pending} onClick={turnOn}>
        Turn on
      </button>
    </div>
  );
}
