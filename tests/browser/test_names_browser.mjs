// test_names_browser.mjs: the catalog's names as a browser shows them.  Run by
// run_names_browser.py, which seeds the database (catalog, kiosks, taps) and passes
// expect.json (argv[2]).
//
// A Finnish browser (locale fi-FI: Accept-Language fi-FI) sees the department page headed
// "Vastaanotto" with the reasons' Finnish labels in the catalog's order, and the filter
// without a blank option; an English one "Front desk" and "Friendly staff".  The fleet page
// shows each kiosk's catalog version against the newest, the refused version's error as
// text (its markup not made an element), the picker's department names and the kiosk whose
// department the catalog does not know as "unknown department ghost (kiosk k-ghost)".
// Screenshots OUTDIR/browser-names-<page>-<lang>.png at 1280x900.  Exit 1 with every
// failure listed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { screenshot } from './shot.mjs';

const expect = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(path.join(expect.modules, 'noop.js'));
const { chromium } = require('playwright-core');

const failures = [];
const fail = (what) => {
  failures.push(what);
  console.log(`FAIL ${what}`);
};
const check = (cond, what) => {
  if (!cond) fail(what);
  return cond;
};

async function shot(page, name, lang) {
  const file = path.join(expect.outdir, `browser-names-${name}-${lang}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function loggedIn(browser, locale) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const page = await context.newPage();
  page.on('pageerror', (err) => fail(`${locale}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`${locale}: console error: ${msg.text()}`);
  });
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', expect.admin.user);
  await page.fill('input[name="password"]', expect.admin.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  return { context, page };
}

const text = (page, selector) => page.$eval(selector, (e) => e.innerText.trim());

async function department(browser, locale, lang, want) {
  const { context, page } = await loggedIn(browser, locale);
  const r = await page.goto(`${expect.base}/department/front`);
  check(r.ok(), `${lang}: /department/front -> ${r.status()}`);
  check((await text(page, 'h1')) === want.heading, `${lang}: heading ${await text(page, 'h1')}`);
  const reasons = await page.$$eval('.reasons td:first-child', (tds) => tds.map((t) => t.innerText));
  check(JSON.stringify(reasons) === JSON.stringify(want.reasons),
    `${lang}: reasons ${JSON.stringify(reasons)}, expected ${JSON.stringify(want.reasons)}`);
  const options = await page.$$eval('#f-department option', (os) => os.map((o) => o.innerText));
  check(options.every((o) => o.trim() !== ''), `${lang}: a blank department option: ${options}`);
  check(options.includes(want.heading), `${lang}: the filter lacks ${want.heading}: ${options}`);
  await shot(page, 'department', lang);
  await context.close();
}

async function fleet(browser) {
  const { context, page } = await loggedIn(browser, 'en-GB');
  const r = await page.goto(`${expect.base}/fleet`);
  check(r.ok(), `fleet -> ${r.status()}`);
  const rows = await page.$$eval('tr.kiosk', (trs) => Object.fromEntries(trs.map((tr) => [
    tr.querySelector('th').innerText.trim(),
    Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.label, td.innerText.trim()]))])));
  check(rows['k-ghost']?.Department === 'unknown department ghost (kiosk k-ghost)',
    `k-ghost: ${JSON.stringify(rows['k-ghost'])}`);
  check(rows['k-lobby']?.Department === 'picker: Front desk, Lobby bar',
    `k-lobby: ${JSON.stringify(rows['k-lobby'])}`);
  check(rows['k-front']?.Department === 'Front desk', `k-front: ${JSON.stringify(rows['k-front'])}`);
  check(rows['k-front']?.Catalog === 'v2 (newest)', `k-front catalog: ${rows['k-front']?.Catalog}`);
  check(rows['k-old']?.Catalog?.startsWith('v1 behind: newest v2'), `k-old: ${rows['k-old']?.Catalog}`);
  check(rows['k-old']?.Catalog?.includes(`refused a newer catalog: ${expect.refused}`),
    `k-old's error: ${rows['k-old']?.Catalog}`);
  check((await page.$$('td b')).length === 0, 'the kiosk\'s markup became an element');
  await shot(page, 'fleet', 'en');
  await context.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
  await department(browser, 'fi-FI', 'fi', {
    heading: 'Vastaanotto',
    reasons: ['Ystävällinen henkilökunta', 'Quick service', 'Hidas palvelu', 'Long wait'],
  });
  await department(browser, 'en-GB', 'en', {
    heading: 'Front desk',
    reasons: ['Friendly staff', 'Quick service', 'Slow service', 'Long wait'],
  });
  await fleet(browser);
} catch (err) {
  fail(`${err.stack || err}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`names browser: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('names browser: all checks passed');
