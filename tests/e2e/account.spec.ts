import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

test('a researcher creates an API token, sees it once, uses it, and revokes it', async ({
  page,
  request,
}) => {
  await signIn(page, demoLogin('researcher'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Token name').fill('e2e laptop');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByLabel('New API token').textContent())!.trim();
  expect(token).toMatch(/^arb_/);
  await snap(page, 'account-researcher');

  const me = await request.get(`${BASE()}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);

  await page.getByRole('button', { name: 'Revoke token e2e laptop' }).click();
  await expect(page.getByText('Token revoked; requests using it now get 401.')).toBeVisible();
  await expect(page.getByLabel('New API token')).toHaveCount(0);
  const after = await request.get(`${BASE()}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});

test('an admin changes a user’s roles and the page confirms it', async ({ page }) => {
  await signIn(page, demoLogin('admin'));
  await page.goto(`${BASE()}/admin/users`);
  await page.getByRole('link', { name: 'annotator2@example.org' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jonas Annotator' })).toBeVisible();
  const roles = page.getByRole('group', { name: 'Roles' });
  await roles.getByLabel('Safety reviewer').check();
  await page.getByRole('button', { name: 'Save roles' }).click();
  await expect(page.getByRole('status')).toHaveText('Roles saved.');
  await expect(roles.getByLabel('Safety reviewer')).toBeChecked();
  await expect(page.getByRole('region', { name: 'Recent activity by and about this user' })).toContainText(
    'user.roles_changed by admin@example.org',
  );
  await snap(page, 'admin-user-detail');
});
