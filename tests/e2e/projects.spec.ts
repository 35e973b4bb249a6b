import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

test('a lead sees a project’s progress charts and manages who may work on it', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  await page.getByRole('link', { name: 'Review round trip' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Review round trip' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Pairs by number of judgments' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Judgments per day' })).toBeVisible();
  await expect(
    page.getByRole('img', { name: /Pairs by number of judgments: 0 \d+, 1 \d+, 2 \d+, 3\+ \d+/ }),
  ).toBeVisible();

  await page.getByLabel('Add a member by email').fill('annotator2@example.org');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('status')).toHaveText('Added annotator2@example.org.');
  await expect(
    page.getByRole('table', { name: 'Members' }).getByText('annotator2@example.org'),
  ).toBeVisible();
  await page.getByLabel('Add a member by email').fill('nobody@example.org');
  await page.getByRole('button', { name: 'Add member' }).click();
  await expect(page.getByRole('alert')).toHaveText('No user with email nobody@example.org.');
  await page.getByRole('button', { name: 'Restrict to members' }).click();
  await expect(page.getByRole('status')).toHaveText('Now open to members only.');
  await snap(page, 'project-lead');
  await page.getByRole('button', { name: 'Open to every annotator' }).click();
  await expect(page.getByRole('status')).toHaveText('Now open to every annotator.');
});

test('a researcher can read a project page but not change its access', async ({ page }) => {
  await signIn(page, demoLogin('researcher'));
  await page.goto(`${BASE()}/projects/demo-preferences`);
  await expect(page.getByRole('heading', { level: 1, name: 'Demo: assistant replies' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Restrict to members|Open to every annotator/ })).toHaveCount(
    0,
  );
  const response = await page.request.post(`${BASE()}/projects/demo-preferences`, {
    form: { intent: 'access', membersOnly: 'true' },
    headers: { Origin: BASE() },
  });
  expect(response.status()).toBe(403);
});

test('a lead imports a file from the browser and follows it to completion', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  await page.goto(`${BASE()}/projects/e2e-import`);
  await page.getByRole('link', { name: 'Import prompts and responses' }).click();
  const lines = [
    { prompt: 'Translate "good morning" into French.', chosen: 'Bonjour.', rejected: 'Bonsoir.' },
    {
      prompt: 'What is the boiling point of water at sea level?',
      chosen: '100 °C (212 °F).',
      rejected: '90 °C.',
    },
  ];
  await page.getByLabel('File', { exact: true }).setInputFiles({
    name: 'trl-sample.jsonl',
    mimeType: 'application/jsonl',
    buffer: Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')),
  });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByRole('status')).toContainText(
    'Imported 2 record(s) (trl): 2 new prompt(s), 4 new response(s), 2 new pair(s)',
  );
  await expect(
    page.getByRole('table', { name: 'Recent imports' }).getByRole('link', { name: 'trl-sample.jsonl' }),
  ).toBeVisible();
  await snap(page, 'import-done');
});
