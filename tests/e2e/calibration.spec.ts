import { expect, test } from '@playwright/test';
import { demoLogin, signIn, snap } from './fixtures';

test('a lead sorts annotators by gold accuracy, opens the one with a planted position bias and sees it flagged', async ({
  page,
}) => {
  await signIn(page, demoLogin('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calibration' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Calibration' })).toBeVisible();
  await page
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: 'Planted biases (preference)' });
  await expect(page.getByText(/from 240 answers/)).toBeVisible();
  const table = page.getByRole('table', { name: 'Annotators' });
  await expect(table.getByRole('row')).toHaveCount(7);
  await expect(page.getByRole('heading', { name: /Consensus method: Majority vote/ })).toBeVisible();
  await expect(page.getByText("Krippendorff's α, nominal").first()).toBeVisible();
  await table.getByRole('button', { name: 'Gold accuracy' }).click();
  await expect(table.getByRole('columnheader', { name: 'Gold accuracy' })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );
  await snap(page, 'calibration-dashboard');
  const lefty = table.getByRole('row').filter({ hasText: 'Lefty' });
  await expect(lefty.getByText('position bias')).toBeVisible();
  await lefty.getByRole('link', { name: 'Lefty' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Lefty' })).toBeVisible();
  const flags = page.getByRole('region', { name: 'Flags' });
  await expect(flags).toContainText('position bias');
  await expect(flags).toContainText('binomial test');
  await expect(page.getByText('chose the left response')).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Left choices and ties per week' })).toBeVisible();
  await snap(page, 'calibration-annotator');
  // a fair annotator is not flagged
  await page.goBack();
  await page.getByRole('table', { name: 'Annotators' }).getByRole('link', { name: 'Fair One' }).click();
  await expect(page.getByText(/No flags/)).toBeVisible();
});

test('a lead adjudicates a disputed pair and it leaves the list', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Adjudicate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Adjudicate' })).toBeVisible();
  await page
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: 'Disputed pairs (preference)' });
  await expect(page.getByRole('heading', { name: 'Disputes 2' })).toBeVisible();
  await snap(page, 'adjudicate');
  const heading = page.getByRole('heading', { name: /Disputes/ });
  const total = Number((await heading.textContent())!.replace(/\D+/g, ''));
  expect(total).toBe(2);
  await expect(page.getByRole('region', { name: /^Judgments/ }).getByRole('article')).toHaveCount(3);
  await page.getByRole('group', { name: 'Helpfulness' }).getByText('B better', { exact: true }).click();
  await page.getByLabel('Note (why)').fill('B answers the question; A does not.');
  await page.getByRole('button', { name: 'Save decision' }).click();
  await expect(page.getByRole('status')).toHaveText(/Decision saved/);
  await expect(heading).toHaveText(`Disputes ${total - 1}`);
});

test('a lead opens a disputed sentiment item, marks it as gold and sees its expected label', async ({
  page,
}) => {
  await signIn(page, demoLogin('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Adjudicate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Adjudicate' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Project' }).selectOption({ label: 'Disputed items (sentiment)' });
  await expect(page.getByRole('heading', { name: 'Disputes 1' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Disputes' })).toContainText('neutral 1 · positive 1');
  await page.getByRole('link', { name: 'Item history' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Item history' })).toBeVisible();
  await page.getByRole('button', { name: 'Mark as gold' }).click();
  await expect(page.getByRole('alert')).toHaveText('Choose the expected label.');
  await page.getByRole('group', { name: 'Expected label' }).getByText('neutral').click();
  await page.getByRole('button', { name: 'Mark as gold' }).click();
  await expect(page.getByText('Gold item. Expected label: neutral.')).toBeVisible();
  await snap(page, 'item-gold');
});
