// test_attributed_browser.mjs: internal teams in a real browser.  Run by
// run_attributed_browser.py, which seeds the database and passes expect.json (argv[2]) with the
// sums the pages must show, computed from the seed's own rows.
//
// - The admin opens IT support's page: it says its ratings are colleagues'; its section of the
//   customers' answers traced to it shows the seed's count, the period before, every negative
//   answer, and the departments and reasons with their counts, in order.
// - The filter's "Rated by" select set to Colleagues and applied: the league lists the internal
//   teams only, each tagged "rated by colleagues"; the overview ranks them by customer impact.
// - head-it sees IT support's page and report with the section, and gets 404 for Front desk.
// Exit 1 with every failure listed.
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

async function loggedIn(browser, who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (err) => fail(`${who.user}: page error: ${err.message}`));
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', who.user);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  return { context, page };
}

const rowsOf = (page, table) => page.$$eval(`#${table} tbody tr`,
  (trs) => trs.map((tr) => [tr.children[0].textContent.trim(), Number(tr.children[1].textContent.trim())]));

async function section(page, label) {
  check(await page.isVisible('p.audience[data-audience="colleagues"]'), `${label}: no word that the ratings are colleagues'`);
  check(await page.isVisible('#attributed'), `${label}: no section of the customers' answers traced to IT`);
  const s = await page.$eval('p.attributed-summary', (p) => ({ ...p.dataset, text: p.textContent }));
  check(Number(s.n) === expect.it.n && Number(s.prev) === expect.it.prev && Number(s.negative) === expect.it.negative,
    `${label}: section ${JSON.stringify(s)}, expected ${JSON.stringify(expect.it)}`);
  check(s.text.includes(`reasons ${expect.it.n} times`), `${label}: the sentence says ${s.text}`);
  const places = await rowsOf(page, 'attributed-places');
  check(JSON.stringify(places) === JSON.stringify(expect.it.places), `${label}: places ${JSON.stringify(places)}, expected ${JSON.stringify(expect.it.places)}`);
  const reasons = await rowsOf(page, 'attributed-reasons');
  check(JSON.stringify(reasons) === JSON.stringify(expect.it.reasons), `${label}: reasons ${JSON.stringify(reasons)}, expected ${JSON.stringify(expect.it.reasons)}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const admin = await loggedIn(browser, expect.admin);
  let page = admin.page;
  await page.goto(`${expect.base}/department/it?period=last_30_days`);
  await section(page, 'admin');
  await screenshot(page, { path: path.join(expect.outdir, `${expect.prefix}-it-1280.png`), fullPage: true });

  await page.goto(`${expect.base}/overview?period=last_30_days`);
  await page.selectOption('#f-audience', 'colleagues');
  await Promise.all([page.waitForNavigation(), page.click('form.filter button[type="submit"]')]);
  check(page.url().includes('audience=colleagues'), `the filter went to ${page.url()}`);
  const league = await page.$$eval('table.league tbody th[scope="row"] a', (as) => as.map((a) => a.textContent.trim()));
  check(JSON.stringify([...league].sort()) === JSON.stringify(['Billing', 'IT support']),
    `the colleagues' league lists ${JSON.stringify(league)}`);
  const tags = await page.$$eval('table.league tbody [data-audience="colleagues"]', (t) => t.length);
  check(tags === 2, `${tags} rows tagged rated by colleagues, expected 2`);
  const impact = await page.$$eval('#impact-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  check(JSON.stringify(impact) === JSON.stringify(expect.impact), `impact ranks ${JSON.stringify(impact)}, expected ${JSON.stringify(expect.impact)}`);
  await screenshot(page, { path: path.join(expect.outdir, `${expect.prefix}-overview-1280.png`), fullPage: true });
  await admin.context.close();

  const head = await loggedIn(browser, expect.head);
  page = head.page;
  const own = await page.goto(`${expect.base}/department/it?period=last_30_days`);
  check(own.ok(), `head-it: /department/it -> ${own.status()}`);
  await section(page, 'head-it');
  const front = await page.goto(`${expect.base}/department/front`);
  check(front.status() === 404, `head-it: /department/front -> ${front.status()}, expected 404`);
  const report = await page.goto(`${expect.base}/report/it?period=last_30_days`);
  check(report.ok(), `head-it: /report/it -> ${report.status()}`);
  await section(page, 'head-it report');
  await screenshot(page, { path: path.join(expect.outdir, `${expect.prefix}-report-1280.png`), fullPage: true });
  await head.context.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`attributed: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('attributed: ok');
