// test_catalog_browser.mjs: the Catalog page (docs/CATALOG.md) in Debian's chromium (headless),
// driven by playwright-core.  Run by run_catalog_browser.py, which imports a catalog, starts
// wowdash serve and passes expect.json (argv[2]): the base URL, the users, the label to write,
// where to write screenshots.  It checks the database afterwards.
//
// Steps: an admin logs in, opens Catalog, types a new label for reason `fast` and saves (the
// page says the version was saved and shows the label in the form); types a label.fi holding
// ' ;' (which the INI format would cut) and saves: the page lists the error naming
// reason fast.label.fi and the form shows what was sent; logs out.  A head logs in:
// its Catalog page holds no form of another department, and a forged POST to another
// department's form (its own csrf token) answers 404.  Screenshots at 1280x900 as
// OUTDIR/catalog-<step>.png.  No request leaves 127.0.0.1, no page error.  Exit 1 with every
// failure listed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { screenshot } from './shot.mjs';

const expect = JSON.parse(readFileSync(process.argv[2], 'utf8'));
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

function watch(page, label) {
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'data:' || u.protocol === 'about:') return;
    check(u.host === base.host, `${label}: a request left ${base.host}: ${req.url()}`);
  });
  page.on('console', (msg) => {
    // a refused form answers 422 or 404 on purpose; chromium logs that status as an error
    if (/status of (422|404)/.test(msg.text())) return;
    if (msg.type() === 'error' || /Content.Security.Policy/i.test(msg.text()))
      fail(`${label}: console ${msg.type()}: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document')
      fail(`${label}: ${res.request().resourceType()} ${res.url()} -> ${res.status()}`);
  });
  page.on('pageerror', (err) => fail(`${label}: page error: ${err.message}`));
}

async function shot(page, name) {
  const file = path.join(expect.outdir, `catalog-${name}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function login(page, user) {
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', user.user);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  check(new URL(page.url()).pathname === '/overview', `login ${user.user}: at ${page.url()}`);
}

async function logout(page) {
  await Promise.all([page.waitForNavigation(), page.click('form.logout button')]);
}

// the form of reason `fast`, and a click on its Save button
const reasonForm = 'form[action="/catalog/reason/fast"]';
async function saveReason(page) {
  return Promise.all([page.waitForNavigation(), page.click(`${reasonForm} button[type="submit"]`)]);
}

async function admin(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page, 'admin');
  await login(page, expect.admin);
  await Promise.all([page.waitForNavigation(), page.click('nav a:has-text("Catalog")')]);
  check(new URL(page.url()).pathname === '/catalog', `the nav's Catalog link led to ${page.url()}`);
  await shot(page, 'admin');
  // a good edit: a new version
  await page.fill(`${reasonForm} input[name="label"]`, expect.label);
  await page.fill(`${reasonForm} input[name="note"]`, 'browser edit');
  const [saved] = await saveReason(page);
  check(saved.ok(), `saving the label: ${saved.status()}`);
  check(new URL(page.url()).search === `?saved=${expect.saved_version}`,
    `after saving at ${page.url()}, expected ?saved=${expect.saved_version}`);
  const notice = (await page.textContent('p.notice').catch(() => '')) || '';
  check(notice.includes(`Version ${expect.saved_version} saved`), `the notice says ${notice}`);
  check(await page.inputValue(`${reasonForm} input[name="label"]`) === expect.label,
    'the form does not show the saved label');
  check((await page.textContent('table.versions')).includes('browser edit'),
    'the versions table lacks the new version\'s note');
  await shot(page, 'saved');
  // a bad edit: the error names the field; nothing changes
  await page.fill(`${reasonForm} input[name="label.fi"]`, 'Nopea ; cut');
  const [refused] = await saveReason(page);
  check(refused.status() === 422, `a label with ' ;': status ${refused.status()}`);
  const errors = (await page.textContent('section.errors').catch(() => '')) || '';
  check(errors.includes('reason fast.label.fi') && errors.includes(';'),
    `the error does not name reason fast.label.fi: ${JSON.stringify(errors)}`);
  check(await page.inputValue(`${reasonForm} input[name="label"]`) === expect.label,
    'after the refused edit the form lost the saved label');
  check(await page.inputValue(`${reasonForm} input[name="label.fi"]`) === 'Nopea ; cut',
    'after the refused edit the form does not show what was sent');
  await shot(page, 'error');
  await logout(page);
  await context.close();
}

async function head(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  watch(page, 'head');
  await login(page, expect.head);
  const r = await page.goto(`${expect.base}/catalog`);
  check(r.ok(), `head: /catalog -> ${r.status()}`);
  const forms = await page.$$eval('form[method="post"]', (fs) => fs.map((f) => f.getAttribute('action')));
  const foreign = forms.filter((a) => a !== '/logout' && a !== `/catalog/department/${expect.head.department}`);
  check(foreign.length === 0, `head: the page offers forms ${JSON.stringify(foreign)}`);
  check(!(await page.content()).includes(expect.other_department_name),
    `head: the page names ${expect.other_department_name}`);
  await shot(page, 'head');
  // a forged form to another department, with the head's own csrf token: 404
  const csrf = await page.getAttribute('form.logout input[name="csrf"]', 'value');
  const [forged] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate(([action, token]) => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = action;
      for (const [name, value] of [['csrf', token], ['question', 'Mine now?']]) {
        const i = document.createElement('input');
        i.type = 'hidden';
        i.name = name;
        i.value = value;
        f.appendChild(i);
      }
      document.body.appendChild(f);
      f.submit();
    }, [`/catalog/department/${expect.other_department}`, csrf]),
  ]);
  check(forged && forged.status() === 404, `head: a forged post to ${expect.other_department}: ${forged && forged.status()}`);
  check((await page.textContent('main')).includes('No such department'), 'head: the 404 page does not say so');
  await shot(page, 'head-forged');
  await context.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
  for (const run of [admin, head]) {
    try {
      await run(browser);
    } catch (err) {
      fail(`${run.name}: ${err.stack || err}`);
    }
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`catalog browser: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('catalog browser: all checks passed');
