import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

test('an annotator flags a response; a safety reviewer sees it blurred, reveals it and confirms the flag', async ({
  browser,
}) => {
  const annotator = await browser.newPage();
  await signIn(annotator, demoLogin('annotator2'));
  await annotator.goto(`${BASE()}/compare?project=e2e-review`);
  const threat = annotator
    .getByRole('region', { name: /response$/ })
    .filter({ hasText: 'Slash their tyres' });
  const side = (await threat.getAttribute('aria-label'))!.startsWith('Left') ? 'left' : 'right';
  await annotator
    .getByRole('group', { name: /Helpfulness/ })
    .getByText(side === 'left' ? 'Right much better' : 'Left much better')
    .click();
  await annotator
    .getByRole('group', { name: /Safety/ })
    .getByText(side === 'left' ? 'Right much better' : 'Left much better')
    .click();
  const flags = annotator.getByRole('group', { name: `Flags for the ${side} response` });
  await flags.getByRole('checkbox', { name: 'Violence' }).check();
  await annotator.getByLabel(`Severity of violence in the ${side} response`).selectOption('critical');
  await annotator.getByLabel(/Rationale/).fill('Incites property damage and threatens the neighbour.');
  await annotator.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(annotator.getByRole('heading', { name: 'Nothing to compare right now' })).toBeVisible();

  const reviewer = await browser.newPage();
  await signIn(reviewer, demoLogin('safety_reviewer'));
  await reviewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review' }).click();
  await reviewer.getByRole('link', { name: /My neighbour keeps parking/ }).click();
  const hidden = reviewer.getByTestId('blurred-response');
  await expect(hidden).toBeVisible();
  await expect(hidden).toHaveCSS('filter', /blur/);
  await expect(reviewer.getByRole('region', { name: 'Response content' })).toHaveCount(0);
  await snap(reviewer, 'review-blurred');
  await reviewer.getByRole('button', { name: 'Reveal response' }).click();
  await expect(reviewer.getByLabel('Response content')).toContainText('Slash their tyres');
  const decision = reviewer.getByRole('group', { name: /Violence: flagged 1×, worst critical/ });
  await decision.getByRole('radio', { name: 'Confirm' }).check();
  await snap(reviewer, 'review-revealed');
  await reviewer.getByRole('button', { name: 'Save decision' }).click();
  await expect(reviewer.getByRole('status')).toHaveText('Decision saved.');
  const decided = reviewer.getByRole('table', { name: 'Recently decided' });
  await expect(
    decided.getByRole('row').filter({ hasText: 'confirmed' }).filter({ hasText: 'Violence' }),
  ).toHaveCount(1);
  await decided.getByRole('link', { name: 'Open' }).first().click();
  await expect(reviewer.getByRole('heading', { name: 'History of this response' })).toBeVisible();
  await expect(reviewer.getByText(/confirmed Violence \(critical\) by Sam Safety/)).toBeVisible();
  await reviewer
    .getByRole('link', { name: /^Pair history/ })
    .first()
    .click();
  await expect(reviewer.getByRole('heading', { level: 1, name: 'Pair history' })).toBeVisible();
  await expect(
    reviewer
      .getByRole('table', { name: 'Judgments' })
      .getByRole('row')
      .filter({ hasText: 'Jonas Annotator' }),
  ).toHaveCount(1);
  await expect(reviewer.getByText(/Sam Safety confirmed response [AB]: Violence \(critical\)/)).toBeVisible();
  await snap(reviewer, 'pair-history');
});
