import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

const HOMES: { role: string; section: string }[] = [
  { role: 'annotator', section: 'Your annotation work' },
  { role: 'safety_reviewer', section: 'Safety review' },
  { role: 'researcher', section: 'Research' },
  { role: 'lead', section: 'Projects' },
  { role: 'admin', section: 'Users' },
];

for (const { role, section } of HOMES) {
  test(`a demo ${role} signs in and lands on their home`, async ({ page }) => {
    const login = demoLogin(role);
    await signIn(page, login);
    await expect(page.getByRole('heading', { level: 1, name: /^Welcome, / })).toBeVisible();
    await expect(page.getByRole('heading', { level: 2, name: section, exact: true })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await snap(page, `home-${role}`);
    if (role === 'safety_reviewer') {
      await page.getByRole('link', { name: 'Open the review queue' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Safety review' })).toBeVisible();
    }
    if (role === 'annotator') {
      await page.getByRole('link', { name: 'Compare responses' }).first().click();
      await expect(page.getByRole('group', { name: /Helpfulness/ })).toBeVisible();
    }
  });
}

test('an annotator opening /admin/users gets the 403 page and a way back', async ({ page }) => {
  await signIn(page, demoLogin('annotator'));
  const response = await page.goto(`${BASE()}/admin/users`);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.getByText('This page is for admin accounts.')).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }),
  ).toHaveCount(0);
  await snap(page, 'forbidden-annotator');
  await page.getByRole('link', { name: 'Go to your home page' }).click();
  await expect(page.getByRole('heading', { name: 'Your annotation work' })).toBeVisible();
});

test('an unknown address shows the 404 page inside the app', async ({ page }) => {
  await signIn(page, demoLogin('lead'));
  const response = await page.goto(`${BASE()}/no/such/page`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('a wrong password is refused with a message next to the form', async ({ page }) => {
  await page.goto(`${BASE()}/login`);
  await page.getByLabel('Email').fill(demoLogin('researcher').email);
  await page.getByLabel('Password').fill('definitely not it');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page).toHaveURL(/\/login/);
});

test('an admin invites a user, who sets a password and signs in; sign-out ends the session', async ({
  page,
  browser,
}) => {
  await signIn(page, demoLogin('admin'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const email = `new-${Date.now()}@example.org`;
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Languages', { exact: true }).fill('en, fr');
  await page.getByRole('button', { name: 'Create user and invite link' }).click();
  const link = (await page.getByLabel('Invite link').textContent())!.trim();
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('link', { name: email })).toBeVisible();
  await snap(page, 'admin-users');

  const invitee = await browser.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { name: 'Welcome to Arbiter' })).toBeVisible();
  await invitee.getByLabel('New password', { exact: true }).fill('my own good password');
  await invitee.getByLabel('New password again').fill('my own good password');
  await invitee.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(invitee.getByRole('heading', { name: 'Your annotation work' })).toBeVisible();
  await invitee.getByRole('button', { name: 'Sign out' }).click();
  await expect(invitee).toHaveURL(`${BASE()}/login`);
  await invitee.goto(`${BASE()}/account`);
  await expect(invitee).toHaveURL(/\/login\?redirectTo=%2Faccount/);
  await invitee.goto(link);
  await expect(invitee.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
});

test('screens in dark mode follow the system setting', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${BASE()}/login`);
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(15, 18, 22)');
  await snap(page, 'login-dark');
  await signIn(page, demoLogin('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  await expect(page.getByRole('table', { name: 'Projects' })).toBeVisible();
  await snap(page, 'projects-dark');
  await context.close();
});
