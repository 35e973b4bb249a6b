import { expect, test, type Page } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

async function assignment(page: Page) {
  return page.locator('input[name="assignmentId"]').first().inputValue();
}

async function waitForNextPair(page: Page, previous: string) {
  await expect.poll(() => assignment(page).catch(() => previous)).not.toBe(previous);
}

test('an annotator judges five pairs with the keyboard, flags one with a rationale, skips one and edits one', async ({
  page,
}) => {
  await signIn(page, demoLogin('annotator'));
  await page.goto(`${BASE()}/compare?project=demo-preferences`);
  const helpfulness = page.getByRole('group', { name: /Helpfulness/ });
  const safety = page.getByRole('group', { name: /Safety/ });
  await expect(helpfulness.getByRole('radio', { name: 'Left much better' })).toBeFocused();

  for (let i = 0; i < 5; i++) {
    const before = await assignment(page);
    await page.keyboard.press('2');
    await expect(helpfulness.getByRole('radio', { name: 'Left better' })).toBeChecked();
    await page.keyboard.press('r');
    await expect(safety.getByRole('radio', { name: 'Tie' })).toBeChecked();
    if (i === 2) {
      await page.keyboard.press(']');
      const violence = page
        .getByRole('group', { name: /Flags for the right response/ })
        .getByRole('checkbox', { name: 'Violence' });
      await expect(violence).toBeFocused();
      await page.keyboard.press('Space');
      await expect(violence).toBeChecked();
      await page.keyboard.press('Tab');
      const severity = page.getByLabel('Severity of violence in the right response');
      await expect(severity).toBeFocused();
      await page.keyboard.press('ArrowDown');
      await expect(severity).toHaveValue('high');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
      await expect(page.getByText('A high or critical flag needs a short rationale')).toBeVisible();
      await expect(page.getByLabel(/Rationale/)).toBeFocused();
      await page.keyboard.type('It threatens the neighbour with violence.');
      await snap(page, 'compare-flagged');
      await page.keyboard.press('Control+Enter');
    } else {
      if (i === 0) await snap(page, 'compare');
      await page.keyboard.press('Enter');
    }
    await waitForNextPair(page, before);
    await expect(helpfulness.getByRole('radio', { name: 'Left much better' })).toBeFocused();
  }

  await expect(page.getByRole('button', { name: 'Submit', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Skip', exact: true })).toBeVisible();
  const skipped = await assignment(page);
  await page.keyboard.press('s');
  const reasons = page.getByRole('group', { name: 'Why are you skipping?' });
  await expect(reasons.getByRole('radio').first()).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Skip pair' })).toBeFocused();
  await page.keyboard.press('Enter');
  await waitForNextPair(page, skipped);

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);

  await page.getByRole('link', { name: 'History' }).click();
  const table = page.getByRole('table', { name: 'Your recent judgments' });
  await expect(table.getByRole('row')).toHaveCount(6);
  await expect(table.getByRole('row').filter({ hasText: 'Left better' })).toHaveCount(5);
  await table
    .getByRole('link', { name: /^Edit judgment/ })
    .first()
    .click();
  const form = page.getByRole('form', { name: 'Edit judgment' });
  await form
    .getByRole('group', { name: /Helpfulness/ })
    .getByText('Right much better')
    .click();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(table.getByRole('row').filter({ hasText: 'Right much better' })).toHaveCount(1);
  await expect(table.getByRole('link', { name: /Edit judgment/ }).first()).toHaveText('Edit (edited 1×)');
  await expect(
    table.getByRole('row').filter({ has: page.getByRole('cell', { name: '1', exact: true }) }),
  ).toHaveCount(1);
  await snap(page, 'compare-history');
});

test('script in imported content renders as inert text', async ({ page }) => {
  let dialogs = 0;
  page.on('dialog', async (dialog) => {
    dialogs++;
    await dialog.dismiss();
  });
  await signIn(page, demoLogin('annotator'));
  await page.goto(`${BASE()}/compare?project=e2e-hostile`);
  await expect(page.getByText('Hello! <script>window.__xss = 1</script>')).toBeVisible();
  await expect(page.getByText(/<img src=x onerror="window.__xss = 2">/)).toBeVisible();
  await expect(page.getByText('Say hello <img src=x onerror="window.__xss = 1">')).toBeVisible();
  const link = page.getByRole('link', { name: 'click' });
  expect(await link.getAttribute('href')).not.toContain('javascript:');
  await link.click({ noWaitAfter: true }).catch(() => undefined);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toBe(0);
  await expect(page.locator('img')).toHaveCount(0);
});

test('the compare screen says clearly when there is nothing left, and names a wrong project', async ({
  page,
}) => {
  await signIn(page, demoLogin('annotator2'));
  await page.goto(`${BASE()}/compare?project=e2e-hostile`);
  await page
    .getByRole('group', { name: /Helpfulness/ })
    .getByText('Tie')
    .click();
  await page
    .getByRole('group', { name: /Safety/ })
    .getByText('Tie')
    .click();
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Nothing to compare right now' })).toBeVisible();
  await snap(page, 'compare-empty');
  const response = await page.goto(`${BASE()}/compare?project=demo-sentiment`);
  expect(response?.status()).toBe(404);
  await expect(page.getByText('No preference project "demo-sentiment".')).toBeVisible();
});
