import fs from 'node:fs';
import { expect, type Page } from '@playwright/test';

export interface DemoLogin {
  email: string;
  roles: string[];
  password: string;
}

export const BASE = () => process.env.E2E_BASE_URL!;

export function demoLogin(role: string): DemoLogin {
  const logins = JSON.parse(fs.readFileSync(process.env.E2E_LOGINS!, 'utf8')) as DemoLogin[];
  // "annotator2" names the demo's second annotator
  const login =
    role === 'annotator2'
      ? logins.find((l) => l.email.startsWith('annotator2@'))
      : logins.find((l) => l.roles.includes(role));
  if (!login) throw new Error(`no demo login with role ${role}`);
  return login;
}

/** Signs in the way a person does: type into the labelled fields, press Enter. */
export async function signIn(page: Page, login: { email: string; password: string }) {
  await page.goto(`${BASE()}/login`);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByLabel('Password').press('Enter');
  await expect(page).toHaveURL(`${BASE()}/`);
}

/** Saves a screenshot under test-results/screenshots for people to look at. */
export async function snap(page: Page, name: string) {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
