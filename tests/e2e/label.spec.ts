import { expect, test, type Page } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';
import { E2E_COLD_START, E2E_COLD_START_MODEL, E2E_SENTIMENT } from './sentiment-setup';

const itemText = (page: Page) => page.getByRole('region', { name: 'Text to label' }).innerText();

test('an annotator labels 10 items with the keyboard, audits included, without a page reload', async ({
  page,
}) => {
  await signIn(page, demoLogin('annotator'));
  await page.goto(`${BASE()}/label?project=${E2E_SENTIMENT}`);
  const group = page.getByRole('radiogroup', { name: 'Sentiment' });
  await expect(group.getByRole('radio', { name: 'positive' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Submit', exact: true })).toBeVisible();
  // a full page load would clear this; client-side navigation keeps it
  await page.evaluate(() => ((window as unknown as { __stayed: boolean }).__stayed = true));

  let audits = 0;
  let accepted = 0;
  for (let i = 0; i < 10; i++) {
    const before = await itemText(page);
    const audit = page.getByRole('note').filter({ hasText: 'This label was accepted automatically' });
    if (await audit.isVisible()) {
      audits++;
      // blind: an audit never shows the accepted label
      await expect(page.getByText('Suggested:')).toHaveCount(0);
      if (audits === 1) await snap(page, 'label-audit');
      await page.keyboard.press('2');
      await expect(group.getByRole('radio', { name: 'negative' })).toBeChecked();
      await page.keyboard.press('Enter');
    } else {
      await expect(page.getByText('Suggested:')).toBeVisible();
      if (accepted === 0) await snap(page, 'label');
      // Enter with nothing chosen accepts the suggestion
      await page.keyboard.press('Enter');
      accepted++;
    }
    await expect.poll(() => itemText(page)).not.toBe(before);
    await expect(page.getByRole('status')).toContainText('Saved');
    await expect(group.getByRole('radio').first()).toBeFocused();
  }
  expect(audits).toBeGreaterThan(0);
  expect(accepted).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { __stayed?: boolean }).__stayed)).toBe(true);

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'History' }).click();
  const table = page.getByRole('table', { name: 'Your recent labels' });
  // ten rows plus the header
  await expect(table.getByRole('row')).toHaveCount(11);
  await expect(table.getByRole('row').filter({ hasText: 'audit' })).toHaveCount(audits);
  await snap(page, 'label-history');
});

test('a lead sees the audits, the cycles chart and the routing of a sentiment project', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  await page.goto(`${BASE()}/projects/${E2E_SENTIMENT}`);
  await expect(page.getByRole('heading', { name: 'Routing' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Is the loop working?' })).toBeVisible();
  const cycles = page.getByRole('table', { name: 'Retraining cycles' });
  await expect(cycles.getByRole('row')).toHaveCount(2);
  await expect(cycles).toContainText('Activated');
  await expect(page.getByRole('heading', { name: 'Audits of accepted labels' })).toBeVisible();
  await snap(page, 'sentiment-project');
});

test('a lead previews a GLUE-style file, sees the columns it will use, and imports it', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  await page.goto(`${BASE()}/projects/e2e-sentiment-import`);
  await page.getByRole('link', { name: 'Import texts to label' }).click();
  const tsv =
    'label\tsentence\n1\ta warm , funny and moving film\n0\tdull , tired and far too long\n1\t" the title " says it all : a joy\n';
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'sst-sample.tsv',
    mimeType: 'text/tab-separated-values',
    buffer: Buffer.from(tsv),
  });
  const preview = page.getByRole('table', { name: 'Preview of the first rows' });
  await expect(preview.getByRole('row')).toHaveCount(4);
  await expect(page.getByLabel('Text column')).toHaveValue('sentence');
  await expect(page.getByLabel('Label column')).toHaveValue('label');
  await expect(page.getByLabel('Format')).toContainText('looks like TSV');
  await snap(page, 'sentiment-import-preview');
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByRole('status')).toContainText(
    'Imported 3 record(s) (tsv, text column “sentence”, label column “label”): 3 new item(s)',
  );
  await expect(page.getByRole('status')).toContainText('Pre-labeled by the VADER word list');
});

test('a lead creates a sentiment project with its own labels', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  await page.goto(`${BASE()}/projects`);
  await page.getByText('New project').click();
  const form = page.getByRole('form', { name: 'New project' });
  await form.getByLabel('Name').fill('Weather tweets');
  await form.getByLabel('Slug').fill('e2e-weather');
  await form.getByLabel('Type').selectOption('sentiment');
  await form.getByLabel('Labels', { exact: true }).fill('positive, negative, neutral, positive');
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByText('Each label must be different.')).toBeVisible();
  // what was typed is kept; only the labels need fixing
  await expect(form.getByLabel('Slug')).toHaveValue('e2e-weather');
  await expect(form.getByLabel('Type')).toHaveValue('sentiment');
  await page
    .getByRole('form', { name: 'New project' })
    .getByLabel('Labels', { exact: true })
    .fill('positive, negative, neutral, not about weather');
  await page
    .getByRole('form', { name: 'New project' })
    .getByRole('button', { name: 'Create project' })
    .click();
  await expect(page).toHaveURL(`${BASE()}/projects/e2e-weather`);
  await expect(page.getByText('labels: positive, negative, neutral, not about weather')).toBeVisible();
});

test('a lead switches the cold start to a pretrained model and watches the waiting items get its pre-labels', async ({
  page,
}) => {
  await signIn(page, demoLogin('lead'));
  await page.goto(`${BASE()}/projects/${E2E_COLD_START}`);
  await expect(page.getByText('No trained model yet: the word list (VADER) guesses')).toBeVisible();
  await page.getByText('Settings', { exact: true }).click();
  const form = page.getByRole('form', { name: 'Project settings' });
  await form.getByLabel('Cold-start model', { exact: true }).fill('e2e/not-there');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(form.getByText(/text-classification model e2e\/not-there in .*: no directory/)).toBeVisible();
  await form.getByLabel('Cold-start model', { exact: true }).fill(E2E_COLD_START_MODEL);
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('the waiting items are being pre-labeled again')).toBeVisible();
  // the background worker runs the pass; the page follows it without a reload
  await expect(page.getByText(`by ${E2E_COLD_START_MODEL}: 3 to people, 0 accepted.`)).toBeVisible({
    timeout: 15_000,
  });
  await expect(
    page.getByText(`No trained model yet: the pretrained model ${E2E_COLD_START_MODEL} guesses`),
  ).toBeVisible();
  await snap(page, 'sentiment-cold-start');
});
