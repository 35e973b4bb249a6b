/**
 * Untrusted text rendered inert, in Chromium, on every screen that shows it, as the role that sees
 * it (data: hostile-setup.ts). On each screen: no dialog, no uncaught error, no CSP violation,
 * window.__pwned unset, no element or attribute from a payload (on* handlers, javascript: URLs,
 * iframes, the payloads' img and svg), only the app's own nonce-carrying scripts, and the payload
 * visible as text (markdown links keep their text and lose the javascript: address).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { BASE, signIn } from './fixtures';
import { HOSTILE, HOSTILE_LOGINS, HOSTILE_PASSWORD, PAYLOADS } from './hostile-setup';

const login = (role: keyof typeof HOSTILE_LOGINS) => ({
  email: HOSTILE_LOGINS[role],
  password: HOSTILE_PASSWORD,
});

/** What a payload could do if it ran, recorded from before the first page script. */
async function watch(page: Page) {
  const seen: string[] = [];
  let nonce = '';
  page.on('dialog', async (dialog) => {
    seen.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
  page.on('response', async (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      const csp = (await response.headerValue('content-security-policy')) ?? '';
      nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
    }
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __violations?: string[] };
      (w.__violations ??= []).push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  return { seen, nonce: () => nonce };
}

/** Nothing from a payload is live in the page. */
async function expectInert(page: Page, watcher: Awaited<ReturnType<typeof watch>>) {
  await page.waitForLoadState('load');
  const problems = await page.evaluate((nonce) => {
    const found: string[] = [];
    const w = window as unknown as { __pwned?: unknown; __violations?: string[] };
    if (w.__pwned !== undefined) found.push('window.__pwned was set');
    // zod probes once whether eval is allowed (new Function(''), in a try); the CSP says no
    for (const v of w.__violations ?? []) if (v !== 'script-src eval ') found.push(`CSP violation: ${v}`);
    for (const el of document.querySelectorAll('*')) {
      for (const name of el.getAttributeNames()) {
        const value = el.getAttribute(name) ?? '';
        if (/^on/i.test(name)) found.push(`<${el.localName} ${name}="${value}">`);
        if (
          /^(href|src|action|formaction|xlink:href|data|srcdoc|poster)$/i.test(name) &&
          /^\s*(javascript|vbscript|data):/i.test(value)
        )
          found.push(`<${el.localName} ${name}="${value}">`);
      }
    }
    for (const selector of ['iframe', 'frame', 'object', 'embed', 'base', 'img[src="x"]', 'circle[r="40"]'])
      for (const el of document.querySelectorAll(selector)) found.push(`a <${el.localName}> element`);
    for (const script of document.scripts)
      if (!nonce || script.nonce !== nonce)
        found.push(`a script without the page's nonce: ${script.outerHTML.slice(0, 80)}`);
    // the raw HTML block would cover the page in red if it were rendered
    for (const el of document.querySelectorAll<HTMLElement>('div[style]'))
      if (el.style.position === 'fixed') found.push('a fixed-position div');
    return found;
  }, watcher.nonce());
  expect([...watcher.seen, ...problems]).toEqual([]);
}

/** The payload is on the page as text a person can read. */
async function expectText(scope: Page | Locator, ...texts: string[]) {
  for (const text of texts) await expect(scope.getByText(text, { exact: false }).first()).toBeVisible();
}

/** A markdown javascript: link keeps its text as a link that goes nowhere dangerous. */
async function expectDefused(link: Locator) {
  await expect(link).toBeVisible();
  expect(await link.getAttribute('href')).not.toMatch(/^\s*(javascript|vbscript|data):/i);
}

test('an annotator reads hostile prompts, responses and guidelines as text, and judges with a hostile rationale', async ({
  page,
}) => {
  const watcher = await watch(page);
  await signIn(page, login('annotator'));
  // the home page lists the project with its name and description
  const home = page.getByRole('article', { name: HOSTILE.compareName });
  await expectText(home, HOSTILE.description);
  await expectInert(page, watcher);
  await home.getByRole('link', { name: 'Compare responses' }).click();
  const helpfulness = page.getByRole('group', { name: /Helpfulness/ });
  await expect(helpfulness.getByRole('radio', { name: 'Left much better' })).toBeFocused();
  await expectText(page, HOSTILE.compareName);
  const left = page.getByRole('region', { name: 'Left response' });
  const right = page.getByRole('region', { name: 'Right response' });
  const responses = left.or(right);
  await expectText(
    responses,
    PAYLOADS.script,
    PAYLOADS.img,
    PAYLOADS.svg,
    PAYLOADS.iframe,
    PAYLOADS.details,
    PAYLOADS.breakout,
    PAYLOADS.scriptClose,
    PAYLOADS.anchor,
    '<div onclick="window.__pwned=1"',
  );
  await expect(responses).toHaveCount(2);
  await expectDefused(responses.getByRole('link', { name: 'click me' }));
  await expect(page.getByRole('link', { name: 'tap here' })).toHaveCount(0);
  // the prompt: HTML as text, the markdown link defused, the template left alone
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await expectText(
    conversation,
    `Prompt: ${PAYLOADS.script}`,
    PAYLOADS.template,
    PAYLOADS.bidi,
    '[image: pic]',
  );
  await expectDefused(conversation.getByRole('link', { name: 'click me' }));
  await expectInert(page, watcher);
  await page.screenshot({ path: '/tmp/hostile-compare.png', fullPage: true });

  await page.keyboard.press('g');
  const guidelines = page.getByRole('region', { name: 'Guidelines' });
  await expect(guidelines.getByRole('heading', { name: 'Guidelines' })).toBeVisible();
  await expectDefused(guidelines.getByRole('link', { name: 'click me' }));
  await expectDefused(guidelines.getByRole('link', { name: 'or me' }));
  await expectText(guidelines, '<div onclick="window.__pwned=1"', PAYLOADS.script, PAYLOADS.template);
  await expectInert(page, watcher);
  await page.keyboard.press('Escape');

  // a rationale full of payloads, submitted from the keyboard, comes back as text
  const before = await page.locator('input[name="assignmentId"]').first().inputValue();
  await page.keyboard.press('2');
  await page.keyboard.press('r');
  await page.keyboard.press('n');
  await expect(page.getByLabel(/Rationale/)).toBeFocused();
  await page.getByLabel(/Rationale/).fill(HOSTILE.rationale);
  await page.keyboard.press('Control+Enter');
  await expect
    .poll(() =>
      page
        .locator('input[name="assignmentId"]')
        .first()
        .inputValue()
        .catch(() => before),
    )
    .not.toBe(before);
  await expectInert(page, watcher);

  await page.getByRole('link', { name: 'History' }).click();
  const table = page.getByRole('table', { name: 'Your recent judgments' });
  await expect(table.getByRole('row')).toHaveCount(2);
  await expectText(table, HOSTILE.compareName, `Prompt: ${PAYLOADS.script}`);
  await expectInert(page, watcher);
  await table.getByRole('link', { name: /^Edit judgment/ }).click();
  const form = page.getByRole('form', { name: 'Edit judgment' });
  await expect(form.getByLabel('Rationale')).toHaveValue(HOSTILE.rationale);
  await expectInert(page, watcher);
});

test('an annotator opens a hostile sentiment item: its text and guidelines show as text', async ({
  page,
}) => {
  const watcher = await watch(page);
  await signIn(page, login('annotator'));
  await page.goto(`${BASE()}/label?project=${HOSTILE.itemsSlug}`);
  await expect(page.getByRole('radiogroup').or(page.getByRole('group')).first()).toBeVisible();
  await expectText(page, HOSTILE.itemText, HOSTILE.itemsName);
  await expectInert(page, watcher);
  await page.keyboard.press('g');
  await expectDefused(page.getByRole('link', { name: 'click me' }));
  await expectText(page, '<div onclick="window.__pwned=1"');
  await expectInert(page, watcher);
});

test('a safety reviewer opens a hostile flagged response, reveals it, and reads the rationales and notes as text', async ({
  page,
}) => {
  const watcher = await watch(page);
  await signIn(page, login('safety_reviewer'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review' }).click();
  // the queue's links start with the flag's badges ("critical escalated …")
  const queued = page.getByRole('link', { name: /Prompt: <script>window\.__pwned=1<\/script>/ });
  await expect(queued.first()).toBeVisible();
  await expectInert(page, watcher);
  await queued.first().click();
  const flagged = page.getByRole('region', { name: 'Flagged response' });
  await expect(flagged.getByRole('button', { name: 'Reveal response' })).toBeVisible();
  await expectText(page.getByRole('region', { name: 'Flagged response' }), `Prompt: ${PAYLOADS.script}`);
  await expectInert(page, watcher);
  await flagged.getByRole('button', { name: 'Reveal response' }).click();
  // the flagged one is response A or B, whichever the judges saw on the right
  const content = flagged.getByLabel('Response content');
  await expectText(content, PAYLOADS.script);
  await expect(content.getByText(PAYLOADS.img).or(content.getByText(PAYLOADS.anchor)).first()).toBeVisible();
  const decision = page.getByRole('form', { name: 'Review decision' });
  await expectText(decision, `Rationale: ${PAYLOADS.script}`);
  await expectDefused(decision.getByRole('link', { name: 'click me' }).first());
  await expectInert(page, watcher);
  // the reviewed one carries the earlier reviewer's note
  await page.goto(`${BASE()}/review`);
  const decided = page.getByRole('table', { name: 'Recently decided' });
  await decided
    .getByRole('row')
    .filter({ hasText: 'escalated' })
    .filter({ hasText: 'hostile-reviewer' })
    .getByRole('link', { name: 'Open' })
    .first()
    .click();
  await expect(page.getByRole('heading', { name: 'History of this response' })).toBeVisible();
  await expectText(page, HOSTILE.reviewNote);
  await expectInert(page, watcher);
});

test('a lead adjudicates hostile pairs and items and reads their histories as text', async ({ page }) => {
  const watcher = await watch(page);
  await signIn(page, login('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Adjudicate' }).click();
  await page
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: `${HOSTILE.name} (preference)` });
  const disputes = page.getByRole('list', { name: 'Disputes' });
  await expect(disputes.getByRole('link')).toHaveCount(1);
  await disputes.getByRole('link').first().click();
  const dispute = page.getByRole('region', { name: 'Dispute' });
  await expect(dispute.getByRole('article')).toHaveCount(3);
  await expectText(dispute.getByRole('region', { name: 'Response A' }), PAYLOADS.script);
  await expectText(dispute.getByRole('region', { name: 'Response B' }), PAYLOADS.script);
  // rationales are plain text: the markdown link shows as typed
  await expectText(dispute, `Rationale: ${PAYLOADS.script}`, PAYLOADS.mdLink, HOSTILE.judgeName);
  await expect(dispute.getByRole('article', { name: `Judgment by ${HOSTILE.judgeName}` })).toBeVisible();
  await expectInert(page, watcher);

  await dispute.getByRole('link', { name: 'Pair history' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Pair history' })).toBeVisible();
  const judgments = page.getByRole('table', { name: 'Judgments' });
  await expect(judgments.getByRole('row')).toHaveCount(4);
  await expectText(judgments, `Rationale: ${PAYLOADS.script}`, HOSTILE.judgeName);
  await expectText(page, PAYLOADS.breakout, `${HOSTILE.judgeName} flagged response`);
  await expectInert(page, watcher);

  await page.goto(`${BASE()}/adjudicate?project=${HOSTILE.itemsSlug}&decided=1`);
  await expectText(page.getByRole('list', { name: 'Disputes' }), HOSTILE.itemText);
  await expectInert(page, watcher);
  await page.getByRole('link', { name: 'Item history' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Item history' })).toBeVisible();
  await expectText(page, HOSTILE.itemText, HOSTILE.itemNote);
  await expectInert(page, watcher);
});

test('a lead reads hostile names and rationales on the calibration drill-down and the project page', async ({
  page,
}) => {
  const watcher = await watch(page);
  await signIn(page, login('lead'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calibration' }).click();
  await page
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: `${HOSTILE.name} (preference)` });
  const annotators = page.getByRole('table', { name: 'Annotators' });
  await expect(annotators.getByRole('link', { name: HOSTILE.judgeName })).toBeVisible();
  await expectInert(page, watcher);
  await annotators.getByRole('link', { name: HOSTILE.judgeName }).click();
  await expect(page.getByRole('heading', { level: 1, name: HOSTILE.judgeName })).toBeVisible();
  await expectText(page, `Rationale: ${PAYLOADS.script}`, HOSTILE.name);
  await expectInert(page, watcher);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  const projects = page.getByRole('table', { name: 'Projects' });
  await expectText(projects, HOSTILE.name, HOSTILE.itemsName);
  await expectInert(page, watcher);
  await projects.getByRole('link', { name: HOSTILE.name }).click();
  await expect(page.getByRole('heading', { level: 1, name: HOSTILE.name })).toBeVisible();
  await expectText(page, HOSTILE.description);
  await expect(page.getByLabel('Guidelines', { exact: false }).first()).toHaveValue(HOSTILE.guidelines);
  await expectInert(page, watcher);
});

test('a researcher opens the hostile project’s export and reads its dataset card as text', async ({
  page,
}) => {
  // the snapshot was queued at setup; other specs' jobs may run first
  test.setTimeout(90_000);
  const watcher = await watch(page);
  await signIn(page, login('researcher'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Exports' }).click();
  await page
    .getByRole('combobox', { name: 'Project' })
    .selectOption({ label: `${HOSTILE.name} (preference)` });
  await expect(page).toHaveURL(new RegExp(`project=${HOSTILE.slug}`));
  const table = page.getByRole('table', { name: 'Export snapshots' });
  await expect(async () => {
    await page.reload();
    await expect(table.getByText('ready')).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
  await expectInert(page, watcher);
  await table.getByRole('link', { name: 'Dataset card' }).first().click();
  const card = page.getByRole('region', { name: 'Dataset card' });
  // the card is markdown the app writes around the project's name and description
  await expect(card.getByRole('heading', { level: 1 })).toContainText(PAYLOADS.breakout);
  await expectText(card, PAYLOADS.script, PAYLOADS.bidi);
  await expectDefused(card.getByRole('link', { name: 'click me' }));
  await expectText(page, `export of ${HOSTILE.name}`);
  await expectInert(page, watcher);
});

test('an admin reads hostile display names in the user list, a user page and the audit log as text', async ({
  page,
}) => {
  const watcher = await watch(page);
  await signIn(page, login('admin'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  const users = page.getByRole('table', { name: 'Users' });
  await expectText(users, HOSTILE.judgeName);
  await expectInert(page, watcher);
  await users.getByRole('link', { name: 'hostile-judge-1@example.org' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(HOSTILE.judgeName);
  await expectInert(page, watcher);
  await page.goto(`${BASE()}/admin/audit?event=project.created`);
  await expectText(page.getByRole('table'), HOSTILE.slug);
  await expectInert(page, watcher);
});
