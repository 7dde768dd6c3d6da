import type { Preset, ServerConfig } from '../../app/contract';

/** What each preset is called on screen. */
export const PRESET_LABEL: Record<Preset, string> = {
  'cross-origin-isolated': 'Cross-origin isolated',
  unity: 'Unity',
};

/** The options that change what a visitor gets, in words. */
function chipsOf(config: ServerConfig): string[] {
  const chips: string[] = [];
  if (config.https) chips.push('HTTPS');
  if (config.auth) chips.push('Password');
  if (config.liveReload) chips.push('Live reload');
  for (const preset of config.presets) chips.push(PRESET_LABEL[preset]);
  return chips;
}

/** Small badges for the options that are on, so a glance tells how this server serves. */
export function OptionChips({ config }: { config: ServerConfig }) {
  const chips = chipsOf(config);
  if (chips.length === 0) return null;
  return (
    <ul className="option-chips" aria-label="Options on">
      {chips.map((chip) => (
        <li key={chip} className="chip">
          {chip}
        </li>
      ))}
    </ul>
  );
}
