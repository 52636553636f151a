// Incidents in words a printer owner understands: which granule (by name, version and owner), what it did, and what
// happened to it. The runtime's own sentence follows as the detail.
import type { Incident, IncidentKind } from '../../lib/twin/index';

const WHAT: Record<IncidentKind, string> = {
  hang: 'stopped responding, so it was stopped',
  crash: 'crashed, so it was stopped',
  memory: 'used more memory than it may, so it was stopped',
  load: 'could not start',
  'operation-error': 'reported an error',
  denied: 'tried to do something it is not allowed to do, and was refused',
  protocol: 'sent a message the twin does not accept',
};

const ADVICE: Partial<Record<IncidentKind, string>> = {
  denied: 'Nothing reached the printer or the other parts of the twin. If you did not expect this, remove the granule from your twin.',
  hang: 'The rest of the twin keeps running; replace the granule or run the twin again.',
  crash: 'The rest of the twin keeps running; replace the granule or run the twin again.',
  memory: 'The rest of the twin keeps running; replace the granule or run the twin again.',
};

export interface IncidentText {
  headline: string;
  detail: string;
  advice?: string;
}

export function incidentText(i: Incident): IncidentText {
  const who = `The ${i.context} part of the twin — granule “${i.granule}”${i.version ? ` ${i.version}` : ''}${i.owner ? ` by ${i.owner}` : ''} —`;
  const detail = i.message.charAt(0).toUpperCase() + i.message.slice(1);
  const advice = ADVICE[i.kind];
  return { headline: `${who} ${WHAT[i.kind] ?? i.kind}.`, detail: /[.!?]$/.test(detail) ? detail : `${detail}.`, ...(advice ? { advice } : {}) };
}
