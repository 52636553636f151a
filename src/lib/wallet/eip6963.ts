// EIP-6963: wallets announce themselves with an event instead of fighting over window.ethereum.
interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

interface WalletInfo {
  uuid: string;
  name: string;
  icon: string;
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

/** Collects the wallets that answer within `waitMs`; falls back to window.ethereum when none announce themselves. */
export async function discoverWallets(target: Window = window, waitMs = 300): Promise<DiscoveredWallet[]> {
  const found = new Map<string, DiscoveredWallet>();
  const onAnnounce = (event: Event) => {
    const detail = (event as CustomEvent<DiscoveredWallet>).detail;
    if (detail?.info?.uuid && detail.provider) found.set(detail.info.uuid, detail);
  };
  target.addEventListener('eip6963:announceProvider', onAnnounce);
  target.dispatchEvent(new Event('eip6963:requestProvider'));
  await new Promise((r) => setTimeout(r, waitMs));
  target.removeEventListener('eip6963:announceProvider', onAnnounce);
  const legacy = (target as unknown as { ethereum?: Eip1193Provider }).ethereum;
  if (found.size === 0 && legacy) {
    found.set('legacy', { info: { uuid: 'legacy', name: 'Browser wallet', icon: '', rdns: 'window.ethereum' }, provider: legacy });
  }
  return [...found.values()];
}
