import { expect, test } from '@playwright/test';
import { BASE, demoLogin, signIn, snap } from './fixtures';

test('an annotator sees a suggested flag and rejects it; a reviewer finds the unflagged high-risk response in the queue', async ({
  browser,
}) => {
  const annotator = await browser.newPage();
  await signIn(annotator, demoLogin('annotator'));
  await annotator.goto(`${BASE()}/compare?project=e2e-safety`);
  const risky = annotator.getByRole('region', { name: /response$/ }).filter({ hasText: 'strike' });
  const side = (await risky.getAttribute('aria-label'))!.startsWith('Left') ? 'left' : 'right';
  const flags = annotator.getByRole('group', { name: `Flags for the ${side} response` });
  // the model's suggestion is shown with its confidence, and left unchecked
  await expect(flags.getByText(/^Suggested \d+%$/)).toBeVisible();
  await expect(flags.getByRole('checkbox', { name: 'Violence' })).not.toBeChecked();
  await expect(annotator.getByRole('note')).toContainText('flag a response only if you agree');
  await snap(annotator, 'compare-suggested-flag');
  // the annotator disagrees: judges the pair and submits without the flag
  await annotator
    .getByRole('group', { name: /Helpfulness/ })
    .getByText('Tie', { exact: true })
    .click();
  await annotator
    .getByRole('group', { name: /Safety/ })
    .getByText('Tie', { exact: true })
    .click();
  await annotator.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(annotator.getByRole('heading', { name: 'Nothing to compare right now' })).toBeVisible();

  const reviewer = await browser.newPage();
  await signIn(reviewer, demoLogin('safety_reviewer'));
  await reviewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review' }).click();
  const entry = reviewer
    .getByRole('listitem')
    .filter({ hasText: 'How can I stab the man next door' })
    .filter({ hasText: 'Safety triage' });
  await expect(entry.getByText('unflagged')).toBeVisible();
  await expect(entry.getByText(/^risk \d+%$/)).toBeVisible();
  await expect(entry).toContainText('sent by the model');
  await entry.getByRole('link').click();
  await expect(reviewer.getByRole('heading', { name: 'Response sent by the model' })).toBeVisible();
  await expect(reviewer.getByText(/Safety model v1: risk \d+%/)).toBeVisible();
  const decision = reviewer.getByRole('group', { name: /Violence: suggested by the model/ });
  await decision.getByRole('radio', { name: 'Confirm' }).check();
  // a corrected category (and one review.spec.ts does not count in the shared "Recently decided")
  await decision.getByLabel('Category').selectOption({ label: 'Illegal activity or weapons' });
  await snap(reviewer, 'review-model-sent');
  await reviewer.getByRole('button', { name: 'Save decision' }).click();
  await expect(reviewer.getByRole('status')).toHaveText('Decision saved.');
  // the model panel measures this version against the decision, and shows the rejected suggestion
  await reviewer
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: 'Safety triage (preference)' });
  const v1 = reviewer
    .getByRole('table', { name: 'Safety model versions' })
    .getByRole('row')
    .filter({ hasText: 'v1' });
  await expect(v1).toContainText('0 of 1 (0%)');
  await expect(v1).toContainText('1 decided, 1 harmful');
  await expect(reviewer.getByRole('button', { name: 'Retrain the safety model' })).toBeEnabled();
  await snap(reviewer, 'review-safety-model');

  // more labelled data through the page: a bad file is refused with its line, a good one imported
  const upload = reviewer.getByRole('form', { name: 'Import labelled responses' });
  const row = (isSafe: unknown) =>
    JSON.stringify({
      prompt: 'Is this fine?',
      response: `Answer ${String(isSafe)}`,
      category: {},
      is_safe: isSafe,
    });
  await upload.getByLabel(/Labelled responses/).setInputFiles({
    name: 'bad.jsonl',
    mimeType: 'application/json',
    buffer: Buffer.from(`${row(true)}\n${row('maybe')}\n`),
  });
  await upload.getByRole('button', { name: 'Import labels' }).click();
  await expect(reviewer.getByRole('alert')).toContainText('bad.jsonl line 2: is_safe');
  await reviewer
    .getByRole('form', { name: 'Import labelled responses' })
    .getByLabel(/Labelled responses/)
    .setInputFiles({
      name: 'good.jsonl',
      mimeType: 'application/json',
      buffer: Buffer.from(
        `${row(true)}\n${JSON.stringify({ prompt: 'Help me hurt him', response: 'Hit [omitted].', category: { 'violence,aiding_and_abetting,incitement': true }, is_safe: false })}\n`,
      ),
    });
  await reviewer
    .getByRole('form', { name: 'Import labelled responses' })
    .getByRole('button', { name: 'Import labels' })
    .click();
  await expect(reviewer.getByRole('status')).toContainText('Imported 2 labelled responses (1 unsafe)');
});

test('a lead switches suggested flags off for a project, and annotators no longer see them', async ({
  browser,
}) => {
  const lead = await browser.newPage();
  await signIn(lead, demoLogin('lead'));
  await lead.goto(`${BASE()}/projects/e2e-safety-off`);
  await lead.getByText('Settings', { exact: true }).click();
  const form = lead.getByRole('form', { name: 'Project settings' });
  const triage = form.getByRole('group', { name: 'Safety triage' });
  await expect(triage.getByLabel('Suggest flags from')).toHaveValue('0.2');
  // empty means the active model's own threshold
  await expect(triage.getByLabel('Risk threshold')).toHaveValue('');
  await triage.getByRole('checkbox', { name: /Show the safety model.s suggested flags/ }).uncheck();
  await snap(lead, 'settings-safety');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(lead.getByRole('status')).toContainText('Settings saved');

  const annotator = await browser.newPage();
  await signIn(annotator, demoLogin('annotator2'));
  await annotator.goto(`${BASE()}/compare?project=e2e-safety-off`);
  await expect(
    annotator.getByRole('region', { name: /response$/ }).filter({ hasText: 'strike' }),
  ).toBeVisible();
  await expect(annotator.getByText(/^Suggested \d+%$/)).toHaveCount(0);
  await expect(annotator.getByRole('note')).toHaveCount(0);
});
