import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

test('a researcher exports TRL with a margin, follows it to ready, downloads it and reads its dataset card', async ({
  page,
}) => {
  await signIn(page, demoLogin('researcher'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Exports' })).toBeVisible();
  await page
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: 'Demo: assistant replies (preference)' });
  await expect(page).toHaveURL(/project=demo-preferences/);
  await page.getByRole('combobox', { name: 'Format' }).selectOption('trl-conversational');
  await page.getByLabel(/graded strength as/).check();
  // the browser checks ranges itself; the server checks what it cannot, next to the field
  await page.getByLabel('From').fill('2026-06-01');
  await page.getByLabel('Until').fill('2026-01-01');
  await page.getByRole('button', { name: 'Start export' }).click();
  await expect(page.getByText('From must be before Until.')).toBeVisible();
  await page.getByLabel('From').fill('');
  await page.getByLabel('Until').fill('');
  await page.getByLabel('Minimum agreement').fill('0.5');
  await page.getByRole('button', { name: 'Start export' }).click();
  const table = page.getByRole('table', { name: 'Export snapshots' });
  await expect(table.getByText('ready')).toBeVisible({ timeout: 30_000 });
  await snap(page, 'exports');
  const downloading = page.waitForEvent('download');
  await table.getByRole('link', { name: 'Download' }).first().click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(
    /^demo-preferences-trl-conversational-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.jsonl$/,
  );
  const lines = fs
    .readFileSync((await download.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(lines.length).toBeGreaterThan(10);
  expect(JSON.parse(lines[0]!)).toEqual(
    expect.objectContaining({ prompt: expect.any(Array), margin: expect.any(Number) }),
  );
  await table.getByRole('link', { name: 'Dataset card' }).first().click();
  const card = page.getByRole('region', { name: 'Dataset card' });
  await expect(card.getByRole('heading', { level: 1 })).toHaveText(
    'Demo: assistant replies: trl-conversational export',
  );
  await expect(card).toContainText('"minAgreement": 0.5');
  await expect(card).toContainText(`${lines.length} records`);
  await snap(page, 'export-card');
});

test('an annotator cannot open exports', async ({ page }) => {
  await signIn(page, demoLogin('annotator'));
  const response = await page.goto(`${BASE()}/exports`);
  expect(response?.status()).toBe(403);
});
