import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

// Screenshots of the main work screens in both colour schemes, for people to look at.
for (const scheme of ['light', 'dark'] as const) {
  test(`compare and review screens render in ${scheme} mode`, async ({ browser }) => {
    const context = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    const annotator = await context.newPage();
    await signIn(annotator, demoLogin('annotator2'));
    await annotator.goto(`${BASE()}/compare?project=demo-preferences`);
    await expect(annotator.getByRole('group', { name: /Helpfulness/ })).toBeVisible();
    await expect(annotator.locator('body')).toHaveCSS(
      'background-color',
      scheme === 'dark' ? 'rgb(15, 18, 22)' : 'rgb(246, 247, 249)',
    );
    await snap(annotator, `screen-compare-${scheme}`);
    await context.clearCookies();
    const reviewer = await context.newPage();
    await signIn(reviewer, demoLogin('safety_reviewer'));
    await reviewer.goto(`${BASE()}/review`);
    await expect(reviewer.getByRole('heading', { level: 1, name: 'Safety review' })).toBeVisible();
    await snap(reviewer, `screen-review-${scheme}`);
    await context.close();
  });
}
