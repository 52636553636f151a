// Requests for access, app-wide: the shell listens as soon as an identity is unlocked, so the navigation's badge
// counts requests waiting for this member (to answer, or approved and ready to get) on every page. Rows live in the
// app database (its requests table); duplicates (one requester asking again for the same granule) collapse into one line.
import type { AuthRequestRow } from '../../lib/store/index';
import { fieldHex } from '../../lib/records';
import type { TwingrainNode } from '../../lib/p2p';
import { session, runtimeConfig, db } from '../shell/session.svelte';

/** The app database's access requests. */
export async function requestsTable() {
  return (await db()).requests;
}

export const inbox = $state<{ rows: AuthRequestRow[]; listening: boolean; error: string | null }>({ rows: [], listening: false, error: null });

/** One line per requester and granule (incoming) or per granule (outgoing): the newest request, with a count. */
export interface RequestLine {
  row: AuthRequestRow;
  times: number;
  /** Ids of every request this line stands for (answered together). */
  ids: string[];
}

const lineKey = (r: AuthRequestRow) => (r.direction === 'incoming' ? `in ${r.alpha} ${r.userPk}` : `out ${r.alpha}`);

/** Collapses duplicates: a pending or answered line absorbs later pending copies of the same request. */
function collapse(rows: AuthRequestRow[]): RequestLine[] {
  const lines = new Map<string, RequestLine>();
  for (const row of [...rows].sort((a, b) => b.createdAt - a.createdAt)) {
    const key = `${lineKey(row)} ${row.state === 'pending' ? 'open' : row.id}`;
    const known = lines.get(key);
    if (known) {
      known.times += 1;
      known.ids.push(row.id);
    } else lines.set(key, { row, times: 1, ids: [row.id] });
  }
  // An answered line hides pending duplicates from the same requester made before the answer.
  return [...lines.values()].filter(
    (l) =>
      !(
        l.row.state === 'pending' &&
        [...lines.values()].some((o) => o !== l && o.row.state !== 'pending' && lineKey(o.row) === lineKey(l.row) && o.row.createdAt > l.row.createdAt)
      ),
  );
}

export const incomingLines = () => collapse(inbox.rows.filter((r) => r.direction === 'incoming'));
export const outgoingLines = () => collapse(inbox.rows.filter((r) => r.direction === 'outgoing'));

/** What waits for this member: requests to answer and approvals to act on. */
export function badgeCount(): number {
  return incomingLines().filter((l) => l.row.state === 'pending').length + outgoingLines().filter((l) => l.row.state === 'approved').length;
}

export async function refreshRequests(): Promise<void> {
  const mine = session.identity ? fieldHex(session.identity.publicKey) : undefined;
  const all = await (await requestsTable()).orderBy('createdAt').reverse().toArray();
  inbox.rows = mine ? all.filter((r) => (r.direction === 'incoming' ? r.ownerPk === mine : r.userPk === mine)) : [];
}

let node: TwingrainNode | undefined;
let stop: (() => void) | undefined;
let listeningAs = '';

export async function requestsNode(): Promise<TwingrainNode> {
  if (node) return node;
  const config = await runtimeConfig();
  const { sharedBrowserNode } = await import('../../lib/p2p');
  node = await sharedBrowserNode(config.relay);
  await node.supervisor.relayConnected();
  return node;
}

/** Starts (or moves) the listener to the unlocked identity; replies update the rows, requests add them once. */
export async function listenForRequests(): Promise<void> {
  const pk = session.identity ? fieldHex(session.identity.publicKey) : '';
  // Claimed before any await, so calls made at the same moment (shell, Discover) start one listener.
  if (!pk || pk === listeningAs) {
    await refreshRequests();
    return;
  }
  stop?.();
  listeningAs = pk;
  await refreshRequests();
  try {
    const n = await requestsNode();
    const { listenAuthMessages } = await import('../../lib/p2p/index');
    stop = listenAuthMessages(
      n.libp2p,
      pk,
      {
        onRequest: (m, fromPeer) => {
          // The relays' mailboxes hand back requests already answered: never reset one to pending.
          void requestsTable()
            .then((t) => t.get(m.id))
            .then(async (known) => {
              if (!known)
                await (await requestsTable()).put({
                  id: m.id,
                  direction: 'incoming',
                  alpha: m.alpha,
                  granuleName: m.granuleName,
                  ownerPk: m.ownerPk,
                  userPk: m.userPk,
                  ...(m.userName ? { userName: m.userName } : {}),
                  peerId: fromPeer,
                  state: 'pending',
                  createdAt: Date.now(),
                });
            })
            .then(refreshRequests);
        },
        onReply: (m, fromPeer) => {
          void requestsTable()
            .then((t) => t.get(m.id))
            .then(async (known) => {
              // Received is the requester's own later state: an old approval read again from a mailbox must not undo it.
              if (known?.direction !== 'outgoing' || known.state === 'received') return;
              await (await requestsTable()).update(m.id, {
                state: m.decision,
                ...(m.recordAddress ? { recordAddress: m.recordAddress } : {}),
                ...(m.reason ? { reason: m.reason } : {}),
                ...(m.ownerName ? { ownerName: m.ownerName } : {}),
                ...(fromPeer !== 'unknown' ? { ownerPeerId: fromPeer } : {}),
              });
            })
            .then(refreshRequests);
        },
      },
      [...n.supervisor.relayPeerIds],
    );
    inbox.listening = true;
    inbox.error = null;
  } catch (e) {
    listeningAs = '';
    inbox.listening = false;
    inbox.error = e instanceof Error ? e.message : String(e);
  }
}

/** The requester got the granule: the line moves on to "received ✓ — open in Twins". */
export async function markReceived(alpha: string): Promise<void> {
  const requests = await requestsTable();
  const rows = await requests.where('alpha').equals(alpha).toArray();
  await Promise.all(rows.filter((r) => r.direction === 'outgoing' && r.state === 'approved').map((r) => requests.update(r.id, { state: 'received' })));
  await refreshRequests();
}
