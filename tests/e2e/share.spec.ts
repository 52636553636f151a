// Issue 4 end to end: two browser identities on the embedded stack. A registers a granule of a reference twin and
// authorizes it to B; B instantiates; all three records show on both sides; each UI-level bad input is refused by
// the chain (or by the app before proving) with its sentence on screen. The granule goes on the peer-to-peer layer
// when A registers it, and B receives it (α verified) after instantiating.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { createMember, importOwnGranules, nav } from './members';

async function becomeMember(page: Page, label: string): Promise<string> {
  await nav(page, 'Settings');
  // The page may still be rendering after the click (its code loads on first use): wait until it shows either the
  // unlocked identity or the form to create one, then ask which.
  await expect(page.getByTestId('identity-unlocked').or(page.getByTestId('new-label')).first()).toBeVisible();
  const pk =
    (await page.getByTestId('identity-pk').count()) > 0 ? (await page.getByTestId('identity-pk').textContent())!.trim() : await createMember(page, label);
  // Hash navigation keeps the unlocked identity (a reload would lock it).
  await nav(page, 'Share');
  await expect(page.getByTestId('chain-sync')).toContainText('in sync');
  return pk;
}

/**
 * Selects the first granule on offer, other than those named in `skip`, that nobody registered yet (the stack is
 * shared by the worker's tests); returns its name. By name, not position: the list may be re-read between calls.
 */
async function chooseUnregistered(page: Page, skip: string[] = []): Promise<string> {
  // The list is complete once this member's own granules (imported above) are in it: count only then.
  await expect(page.getByTestId('granule-select').locator('optgroup[label^="Yours"] option')).toHaveCount(2);
  const names = (await page.getByTestId('granule-select').locator('option').allTextContents()).map((t) => t.trim().split(' ')[0] ?? '');
  for (const [index, name] of names.entries()) {
    if (skip.includes(name)) continue;
    await page.getByTestId('granule-select').selectOption({ index });
    // The state below must be the chosen granule's, not the one chosen before.
    await expect(page.getByTestId('granule-name')).toContainText(name);
    const state = page.getByTestId('not-registered').or(page.getByTestId('already-registered')).or(page.getByTestId('already-mine'));
    await expect(state).toBeVisible();
    if (await page.getByTestId('not-registered').isVisible()) return name;
  }
  throw new Error('every granule on offer is registered already on this stack');
}

/** Opens a <details> (Advanced) unless it is open already. */
async function expand(page: Page, testid: string): Promise<void> {
  const d = page.getByTestId(testid);
  if ((await d.getAttribute('open')) === null) await d.locator('summary').first().click();
}

async function sendPrepared(page: Page, json: string): Promise<void> {
  await expand(page, 'share-advanced');
  await page.getByTestId('prepared-input').fill(json);
  await page.getByTestId('prepared-submit').click();
}

/** Keeps the proving times the page shows with the test result (reported, never asserted). */
async function note(page: Page, action: string): Promise<void> {
  test.info().annotations.push({ type: action, description: (await page.getByTestId(`${action}-timing`).textContent()) ?? '' });
}

test('two identities share a granule: register, authorize, instantiate, and every bad input is refused', async ({ page, browser, stack }) => {
  test.setTimeout(240_000);
  const contextB = await browser.newContext();
  const pageB = await contextB.newPage();
  try {
    // B opens Share before unlocking anything: the page says what to do first, and the prover warms up anyway.
    await pageB.goto(`${stack.appUrl}/#/share`);
    await expect(pageB.getByTestId('unlock-hint')).toBeVisible();
    await expect(pageB.getByTestId('prover-status')).toContainText('ready', { timeout: 60_000 });

    await createMember(page, 'Workshop A');
    await importOwnGranules(page, 'Workshop A', 2);
    const pkA = await becomeMember(page, 'Workshop A');
    const pkB = await becomeMember(pageB, 'Workshop B');
    expect(pkA).not.toBe(pkB);

    // A bundled reference granule is the app's: A cannot publish it as hers.
    await page
      .getByTestId('granule-select')
      .selectOption({ label: (await page.getByTestId('granule-select').locator('optgroup[label^="Bundled"] option').first().textContent())!.trim() });
    await expect(page.getByTestId('already-registered')).toContainText('twingrain reference');
    await expect(page.getByTestId('register')).toBeDisabled();
    // A registers a granule of her own.
    await expect(page.getByTestId('proof-settings')).toContainText('Groth16');
    await expect(page.getByTestId('proof-settings')).toContainText('Poseidon');
    const first = await chooseUnregistered(page);
    const alpha = (await page.getByTestId('granule-alpha').textContent())!.trim();
    await page.getByTestId('register').click();
    await expect(page.getByTestId('register-record')).toContainText(`twingrain:registration/${stack.config.chain.chainId}/`, { timeout: 60_000 });
    await expect(page.getByTestId('register-stages')).toHaveAttribute('data-stage', 'done');
    // The embedded relay is the Consortium's one custodian: the granule went on the peer-to-peer layer first.
    await expect(page.getByTestId('register-published')).toContainText('key shares with 1 custodian');
    await expect(page.getByTestId('already-mine')).toBeVisible();
    const registrationRecord = (await page.getByTestId('register-record').textContent())!.trim();
    const registrationProof = await page.getByTestId('register-proof').inputValue();
    await note(page, 'register');

    // A second registration of the same α cannot be started: Publish says why instead.
    await expect(page.getByTestId('register')).toBeDisabled();
    await expect(page.getByTestId('register-why')).toContainText('You published this granule already');
    // The same proof sent again (a replay) is refused by the registry.
    await sendPrepared(page, registrationProof);
    await expect(page.getByTestId('prepared-error')).toContainText('already registered');
    // A's proof pointed at another α is refused: no commitment of A's names that α (registration is commit–reveal).
    const forged = JSON.parse(registrationProof) as { args: string[] };
    forged.args[0] = '0x5eed';
    await sendPrepared(page, JSON.stringify(forged));
    await expect(page.getByTestId('prepared-error')).toContainText('No registration commitment from this account matches this granule');

    // A makes (but does not send) a proof for a second granule; sent by B it is worthless, sent by A it holds.
    await chooseUnregistered(page, [first]);
    await expand(page, 'register-advanced');
    await page.getByTestId('prove-only').check();
    await page.getByTestId('register').click();
    const unsent = await page.getByTestId('register-proof').inputValue();
    expect(JSON.parse(unsent).action).toBe('register');
    await sendPrepared(pageB, unsent);
    await expect(pageB.getByTestId('prepared-error')).toContainText('not enrolled under the public key');
    // From A, with A's commitment mined, but with the proof's points altered: the verifier rejects it, and nothing is
    // used up — the genuine proof still goes through afterwards.
    const tampered = JSON.parse(unsent) as { proof: { a: string[]; c: string[] } };
    tampered.proof.a = tampered.proof.c;
    await sendPrepared(page, JSON.stringify(tampered));
    await expect(page.getByTestId('prepared-error')).toContainText('rejected the zero-knowledge proof');
    await sendPrepared(page, unsent);
    await expect(page.getByTestId('prepared-tx')).toContainText('0x');
    await page.getByTestId('prove-only').uncheck();

    // B cannot authorize A's granule.
    await pageB.getByTestId('authorize-alpha').fill(alpha);
    await pageB.getByTestId('authorize-user').fill(pkA);
    await pageB.getByTestId('authorize').click();
    await expect(pageB.getByTestId('authorize-error')).toContainText('does not own granule');

    // A authorizes B and hands over the record address.
    await page.getByTestId('authorize-alpha').fill(alpha);
    await page.getByTestId('authorize-user').fill(pkB);
    await page.getByTestId('authorize').click();
    await expect(page.getByTestId('authorize-record')).toContainText('?salt=0x', { timeout: 60_000 });
    const authorizationRecord = (await page.getByTestId('authorize-record').textContent())!.trim();
    const authorizationProof = await page.getByTestId('authorize-proof').inputValue();
    await note(page, 'authorize');
    // Replayed, the authorization proof is refused; pointed at a root the registry never had, too.
    await sendPrepared(page, authorizationProof);
    await expect(page.getByTestId('prepared-error')).toContainText('already recorded');
    const unknownRoot = JSON.parse(authorizationProof) as { args: string[] };
    unknownRoot.args[3] = '0x1234567';
    await sendPrepared(page, JSON.stringify(unknownRoot));
    await expect(page.getByTestId('prepared-error')).toContainText('is unknown or was replaced more than an hour ago');

    // B instantiates from the record address.
    await pageB.getByTestId('instantiate-input').fill(authorizationRecord);
    await pageB.getByTestId('instantiate').click();
    await expect(pageB.getByTestId('instantiate-record')).toContainText('twingrain:instantiation/', { timeout: 60_000 });
    const instantiationRecord = (await pageB.getByTestId('instantiate-record').textContent())!.trim();
    await note(pageB, 'instantiate');
    // Replaying the instantiation is refused.
    await sendPrepared(pageB, await pageB.getByTestId('instantiate-proof').inputValue());
    await expect(pageB.getByTestId('prepared-error')).toContainText('already instantiated');
    // Meanwhile B fetched the granule: key share released by the custodian, shards from the pin, α checked.
    await expect(pageB.getByTestId('receive-done')).toContainText('Granule received (α verified)', { timeout: 60_000 });
    await expect(pageB.getByTestId('receive-error')).toHaveCount(0);

    // All three records on both sides, with the same record addresses.
    const authorizationWithoutSalt = authorizationRecord.replace(/\?salt=.*$/, '');
    await page.getByTestId('check-chain').click();
    await expect(page.getByTestId('record-registered-address').first()).toHaveText(registrationRecord);
    await expect(page.getByTestId('record-registered')).toHaveCount(2);
    await expect(page.getByTestId('record-given-address')).toHaveText(authorizationWithoutSalt);
    await expect(page.getByTestId('record-instantiated-address')).toHaveText(instantiationRecord);

    await pageB.getByTestId('check-chain').click();
    await expect(pageB.getByTestId('record-usable')).toContainText('instantiated');
    await expect(pageB.getByTestId('record-usable-registration')).toHaveText(registrationRecord);
    await expect(pageB.getByTestId('record-usable-address')).toHaveText(authorizationWithoutSalt);
    await expect(pageB.getByTestId('record-instantiated-address')).toHaveText(instantiationRecord);
    await expect(pageB.getByTestId('record-registered')).toHaveCount(0);

    // The received granule is kept on B's device: the Twins page lists it.
    await nav(pageB, 'Twins');
    await expect(pageB.locator(`[data-testid="received-granule"][data-alpha="${alpha}"]`)).toBeVisible();
  } finally {
    await contextB.close();
  }
});
