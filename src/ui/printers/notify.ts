// Tell the person a print ended: a system notification where they allowed it (and the page is not in view),
// always a notice on the page.
import type { FarmEvent } from '../../lib/printer/jobs/index';
import { formatDuration } from '../../lib/printer/jobs/index';

export function describeEnd(e: FarmEvent, printerName: string): { title: string; body: string } {
  if (e.result === 'finished') return { title: `Print finished on ${printerName}`, body: `${e.fileName} finished in ${formatDuration(e.actualSeconds)}.` };
  if (e.result === 'cancelled') return { title: `Print cancelled on ${printerName}`, body: `${e.fileName} was cancelled.` };
  return { title: `Print failed on ${printerName}`, body: `${e.fileName} stopped: ${e.reason ?? 'unknown reason'}.` };
}

export function notificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}

export async function askForNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

export function systemNotify(title: string, body: string): void {
  if (!notificationsAllowed() || document.visibilityState === 'visible') return;
  try {
    new Notification(title, { body, tag: `twingrain-print-${title}` });
  } catch {
    // Some browsers allow notifications only from a service worker; the page notice remains.
  }
}
