// test_chain_browser.mjs: the admin's half of run_chain_browser.py, in Debian's chromium
// (headless) driven by playwright-core.  argv[2] is expect.json; argv[3] the step:
//   edit   log in as the admin, open Catalog from the nav, give reason `fast` the new label
//          and save: the page must say the version was saved (screenshot chain-saved.png);
//   fleet  log in, open Fleet: the kiosk's row must say it refused a newer catalog and show
//          the kiosk's own error text (screenshot chain-fleet.png).
// No request leaves 127.0.0.1, no page error.  Exit 1 with every failure listed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { screenshot } from './shot.mjs';

const expect = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const step = process.argv[3];
const require = createRequire(path.join(expect.modules, 'noop.js'));
const { chromium } = require('playwright-core');

const failures = [];
const base = new URL(expect.base);
const fail = (what) => {
  failures.push(what);
  console.log(`FAIL ${what}`);
};
const check = (cond, what) => {
  if (!cond) fail(what);
  return cond;
};

function watch(page) {
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'data:' || u.protocol === 'about:') return;
    check(u.host === base.host, `a request left ${base.host}: ${req.url()}`);
  });
  page.on('pageerror', (err) => fail(`page error: ${err.message}`));
}

async function shot(page, name) {
  const file = path.join(expect.outdir, `chain-${name}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function login(page) {
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', expect.admin.user);
  await page.fill('input[name="password"]', expect.admin.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  check(new URL(page.url()).pathname === '/overview', `login: at ${page.url()}`);
}

async function edit(page) {
  await Promise.all([page.waitForNavigation(), page.click('nav a:has-text("Catalog")')]);
  const form = 'form[action="/catalog/reason/fast"]';
  await page.fill(`${form} input[name="label"]`, expect.label);
  await page.fill(`${form} input[name="note"]`, 'label seen on the kiosk');
  const [saved] = await Promise.all([
    page.waitForNavigation(),
    page.click(`${form} button[type="submit"]`),
  ]);
  check(saved.ok(), `saving the label: ${saved.status()}`);
  const notice = (await page.textContent('p.notice').catch(() => '')) || '';
  check(/Version \d+ saved/.test(notice), `the notice says ${JSON.stringify(notice)}`);
  await shot(page, 'saved');
}

async function fleet(page) {
  await Promise.all([page.waitForNavigation(), page.click('nav a:has-text("Fleet")')]);
  const row = (await page.textContent(`tr:has-text("${expect.kiosk}")`).catch(() => '')) || '';
  check(row.includes('refused a newer catalog'), `the fleet row does not say it refused: ${row}`);
  check(row.includes(expect.refused_error), `the fleet row lacks the kiosk's error ` +
    `${JSON.stringify(expect.refused_error)}: ${row}`);
  await shot(page, 'fleet');
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page);
  await login(page);
  await ({ edit, fleet })[step](page);
  await context.close();
} catch (err) {
  fail(`${step}: ${err.stack || err}`);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`chain browser (${step}): ${failures.length} failure(s)`);
  process.exit(1);
}
console.log(`chain browser (${step}): all checks passed`);
