// The app's pages, in navigation order. Each page component lives in src/ui/<id>/.
import type { Component } from 'svelte';

export interface Route {
  id: string;
  title: string;
  /** Reached by a link, not listed in the navigation. */
  hidden?: boolean;
  load: () => Promise<{ default: Component }>;
}

export const routes: Route[] = [
  { id: 'twins', title: 'Twins', load: () => import('../twins/TwinsPage.svelte') },
  { id: 'printers', title: 'Printers', load: () => import('../printers/PrintersPage.svelte') },
  { id: 'share', title: 'Share', load: () => import('../share/SharePage.svelte') },
  { id: 'discover', title: 'Discover', load: () => import('../discover/DiscoverPage.svelte') },
  { id: 'requests', title: 'Requests', load: () => import('../requests/RequestsPage.svelte') },
  { id: 'incentives', title: 'Incentives', load: () => import('../incentives/IncentivesPage.svelte') },
  { id: 'network', title: 'Network', load: () => import('../network/NetworkPage.svelte') },
  { id: 'settings', title: 'Settings', load: () => import('../settings/SettingsPage.svelte') },
  { id: 'welcome', title: 'Get started', hidden: true, load: () => import('../welcome/WelcomePage.svelte') },
];

export function routeFromHash(hash: string): Route {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return routes.find((r) => r.id === id) ?? routes[0]!;
}
