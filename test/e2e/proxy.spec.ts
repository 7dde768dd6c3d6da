import { expect, test } from '@playwright/test';

import { launchApp, type PierApp } from './app';
import { get, makeSite, readmeShot, requestLog, reviewShots, seriousViolationsLightAndDark, shownUrl, startUpstream } from './helpers';

let app: PierApp | null = null;
const cleanups: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  await app?.close();
  app = null;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function serve(name: string): Promise<void> {
  if (!app) throw new Error('launch first');
  const made = await makeSite(name);
  cleanups.push(made.cleanup);
  await app.pickFolder(made.root);
  await app.page.getByRole('button', { name: 'Serve a folder' }).click();
  await expect(app.page.getByRole('heading', { name, level: 2 })).toBeVisible();
  await shownUrl(app.page);
}

async function upstream(name: string) {
  const started = await startUpstream(name);
  cleanups.push(started.close);
  return started.url;
}

test('a proxy rule is checked while typed, and saved with its upstreams on Apply', async () => {
  app = await launchApp();
  const { page } = app;
  await serve('web');
  const [one, two] = [await upstream('one'), await upstream('two')];
  const form = page.getByRole('form', { name: 'Server settings' });
  const apply = form.getByRole('button', { name: 'Apply' });
  const card = page.getByRole('region', { name: 'Proxy' });
  await expect(card).toHaveCount(0);

  await form.getByRole('button', { name: 'Add proxy rule' }).click();
  const rule = form.getByRole('group', { name: 'Proxy rule 1' });
  const prefix = rule.getByLabel('Path prefix');
  await expect(prefix).toBeFocused();
  await prefix.fill('api');
  await rule.getByRole('textbox', { name: 'Upstream 1 URL' }).fill('localhost:3000');
  // The contract's own sentences, beside their fields.
  await expect(rule.getByText('A proxy prefix is a path such as /api: it starts with /, has no spaces, ? or #, and no / at the end.')).toBeVisible();
  await expect(prefix).toHaveAttribute('aria-invalid', 'true');
  await expect(prefix).toHaveAccessibleDescription(/A proxy prefix is a path/);
  await expect(rule.getByText(/^An upstream is an http:\/\/ or https:\/\/ URL/)).toBeVisible();
  await expect(form.getByText('Fix what is marked above to apply.')).toBeVisible();
  await expect(apply).toBeDisabled();
  await rule.getByLabel('Connect timeout (s)').fill('0.01');
  await expect(rule.getByText('The connect timeout must be at least 100 ms.')).toBeVisible();
  await rule.getByLabel('Connect timeout (s)').fill('2');
  await reviewShots(page, 'proxy-settings-invalid', () => rule.scrollIntoViewIfNeeded());

  await prefix.fill('/api');
  await rule.getByRole('textbox', { name: 'Upstream 1 URL' }).fill(one);
  await expect(rule.getByText(/A proxy prefix is a path/)).toHaveCount(0);
  await expect(rule.getByRole('combobox', { name: 'Balancing' })).toHaveCount(0);
  await rule.getByRole('button', { name: 'Add upstream' }).click();
  await expect(rule.getByRole('textbox', { name: 'Upstream 2 URL' })).toBeFocused();
  await page.keyboard.type(two);
  await rule.getByRole('combobox', { name: 'Balancing' }).selectOption('least-connections');
  await rule.getByRole('switch', { name: 'Strip prefix' }).check();
  await expect(apply).toBeEnabled();
  await apply.click();
  await expect(apply).toBeDisabled();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();

  // The upstream card appears with the rule, grouped by its prefix.
  const upstreams = card.getByRole('list', { name: 'Upstreams of /api' });
  await expect(upstreams.getByRole('listitem')).toHaveCount(2);
  await expect(upstreams).toContainText(one.replace('http://', ''));
  await expect(upstreams).toContainText(two.replace('http://', ''));
  expect(await seriousViolationsLightAndDark(page, ['.proxy-card', '.proxy-editor'])).toEqual([]);

  // Saved: another server and back shows the rule as applied.
  await serve('other');
  await expect(page.getByRole('region', { name: 'Proxy' })).toHaveCount(0);
  await page.getByRole('list', { name: 'Servers' }).getByRole('button', { name: /web/ }).click();
  await expect(page.getByRole('heading', { name: 'web', level: 2 })).toBeVisible();
  const saved = form.getByRole('group', { name: 'Proxy rule 1' });
  await expect(saved.getByLabel('Path prefix')).toHaveValue('/api');
  await expect(saved.getByRole('textbox', { name: 'Upstream 1 URL' })).toHaveValue(one);
  await expect(saved.getByRole('textbox', { name: 'Upstream 2 URL' })).toHaveValue(two);
  await expect(saved.getByRole('combobox', { name: 'Balancing' })).toHaveValue('least-connections');
  await expect(saved.getByRole('switch', { name: 'Strip prefix' })).toBeChecked();
  await expect(saved.getByRole('switch', { name: 'Keep the client’s Host' })).not.toBeChecked();
  await expect(saved.getByLabel('Connect timeout (s)')).toHaveValue('2');
  await expect(saved.getByLabel('Response timeout (s)')).toHaveValue('60');
  await expect(apply).toBeDisabled();

  // Stopped: the card says when checking starts. Removing the rule removes the card.
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(card).toContainText('Starts checking when the server runs.');
  await reviewShots(page, 'proxy-card-stopped', () => card.scrollIntoViewIfNeeded());
  await saved.getByRole('button', { name: 'Remove proxy rule /api' }).click();
  await expect(form.getByRole('button', { name: 'Add proxy rule' })).toBeFocused();
  await apply.click();
  await expect(page.getByRole('region', { name: 'Proxy' })).toHaveCount(0);
});

test('proxied requests show their upstream in the log, and the card follows each upstream up and down', { tag: '@readme-screenshot' }, async () => {
  app = await launchApp();
  const { page } = app;
  await serve('web');
  const one = await startUpstream('one');
  cleanups.push(one.close);
  const two = await startUpstream('two');
  cleanups.push(two.close);
  const hostOne = one.url.replace('http://', '');
  const hostTwo = two.url.replace('http://', '');

  const form = page.getByRole('form', { name: 'Server settings' });
  await form.getByRole('button', { name: 'Add proxy rule' }).click();
  const rule = form.getByRole('group', { name: 'Proxy rule 1' });
  await rule.getByLabel('Path prefix').fill('/api');
  await rule.getByRole('textbox', { name: 'Upstream 1 URL' }).fill(one.url);
  await rule.getByRole('button', { name: 'Add upstream' }).click();
  await rule.getByRole('textbox', { name: 'Upstream 2 URL' }).fill(two.url);
  await rule.getByLabel('Health check path').fill('/health');
  await form.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('Running', { exact: true })).toBeVisible();
  const url = await shownUrl(page);

  const card = page.getByRole('region', { name: 'Proxy' });
  const rowOf = (host: string) => card.getByRole('listitem').filter({ hasText: host });
  await expect(rowOf(hostOne)).toContainText('Up', { timeout: 10_000 });
  await expect(rowOf(hostTwo)).toContainText('Up');
  await expect(card).toContainText('2 of 2 up');

  const answer = await get(`${url}api/hello`);
  expect(answer.status).toBe(200);
  const answeredBy = answer.body.startsWith('one') ? hostOne : hostTwo;
  const logged = requestLog(page).locator('.log-row').filter({ hasText: '/api/hello' });
  await expect(logged).toContainText(`→ ${answeredBy}`);
  await expect(logged.locator('.log-path')).toHaveAttribute('title', new RegExp(`→ http://${answeredBy}`));
  // Per-request numbers: the card keeps them current while it shows.
  await expect(rowOf(answeredBy)).toContainText('1 served');
  // A file from the folder is not proxied: no upstream beside it.
  await get(`${url}index.html`);
  await expect(requestLog(page).locator('.log-row').filter({ hasText: '/index.html' })).not.toContainText('→');

  await two.close();
  await expect(rowOf(hostTwo)).toContainText(/Down since \d\d:\d\d:\d\d/, { timeout: 15_000 });
  await expect(rowOf(hostTwo)).not.toContainText('Up');
  await expect(rowOf(hostOne)).toContainText('Up');
  await expect(card).toContainText('1 of 2 up');
  await expect(rowOf(hostTwo)).toContainText(/connect|refused/i);
  await reviewShots(page, 'proxy-card-health', () => card.scrollIntoViewIfNeeded());

  // The README's picture of upstream health.
  await page.getByRole('main').evaluate((pane) => pane.scrollTo(0, 0));
  await readmeShot(page, 'proxy');
});
