// The printer's state in the words a printer owner uses.
import type { JobState, PrinterStatus } from '../../lib/printer/index';

export function statusWords(status: PrinterStatus, job?: JobState): string {
  if (status === 'printing') return job === 'cancelling' ? 'Cancelling' : 'Printing';
  if (status === 'paused') return job === 'pausing' ? 'Pausing' : 'Paused';
  return {
    disconnected: 'Not connected',
    connecting: 'Connecting…',
    ready: 'Ready',
    reconnecting: 'Connection lost — waiting',
    error: 'Stopped',
    printing: 'Printing',
    paused: 'Paused',
  }[status];
}

/** "Heating 40/200 °C…" until the heater is within 2 °C of its target, then "ready"; nothing while it is off. */
export function heaterWords(label: string, temperature: number, target: number): string | undefined {
  if (target <= 0) return undefined;
  if (temperature < target - 2) return `Heating ${label.toLowerCase()} ${temperature.toFixed(0)}/${target.toFixed(0)} °C…`;
  return `${label} ready (${target.toFixed(0)} °C)`;
}
