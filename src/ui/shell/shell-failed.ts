// What the page shows when the app shell cannot load or mount (a file missing after an update, a network cut mid-load,
// an error while the shell starts): the network boot only orders the peer after the shell and ignores how the shell
// ended, so without this the page stays blank with nothing in the console. Plain DOM: the shell's own code and styles
// may be what failed to load.

/** Logs why the shell did not start and tells the person on the page what happened and what to do. */
export function showShellFailure(error: unknown): void {
  console.error('twingrain: the app could not start.', error);
  const target = document.getElementById('app') ?? document.body;
  const box = document.createElement('div');
  box.setAttribute('role', 'alert');
  box.dataset['testid'] = 'shell-failed';
  box.style.cssText = 'max-width:40rem;margin:2rem auto;padding:0 1rem;font-family:system-ui,sans-serif;line-height:1.5';
  const lines = [
    'twingrain could not start',
    'Part of the app did not load or start. Reload the page to try again: what this browser keeps for you (identities, twins, printers) is not affected.',
    "If this keeps happening, clear this site's data in your browser's settings, then reload. That also removes the identities and twins kept in this browser: do it only if you have a backup of your identity.",
  ];
  for (const [i, text] of lines.entries()) {
    const p = document.createElement(i === 0 ? 'h1' : 'p');
    if (i === 0) p.style.fontSize = '1.3rem';
    p.textContent = text;
    box.append(p);
  }
  const reload = document.createElement('button');
  reload.type = 'button';
  reload.textContent = 'Reload';
  reload.addEventListener('click', () => location.reload());
  box.append(reload);
  target.replaceChildren(box);
}
