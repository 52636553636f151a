// The storage (pinning) services this browser pins granules through, chosen under Settings. Kept in localStorage;
// when nothing is chosen here, the deployment's runtime config decides (and without that, the relays pin).
import { parsePinningConfig, type PinningConfig, type RuntimeConfig } from '../../lib/config';

const KEY = 'twingrain.pinning';

/** What Settings saved, or undefined (the community's default). */
export function savedPinning(): PinningConfig | undefined {
  try {
    const text = localStorage.getItem(KEY);
    return text ? parsePinningConfig(JSON.parse(text)) : undefined;
  } catch {
    return undefined; // storage blocked or an old, unreadable entry: the default applies
  }
}

/** Saves (after checking) or, with undefined, goes back to the community's default. */
export function savePinning(pinning: PinningConfig | undefined): void {
  if (!pinning) {
    localStorage.removeItem(KEY);
    return;
  }
  localStorage.setItem(KEY, JSON.stringify(parsePinningConfig(pinning)));
}

/** The services a publication pins through: this browser's choice, else the deployment's. */
export function effectivePinning(config: RuntimeConfig): PinningConfig | undefined {
  const pinning = savedPinning() ?? config.pinning;
  return pinning && pinning.services.length > 0 ? pinning : undefined;
}
