// test_report_browser.mjs: a team's evaluation report as a head and an admin read and print
// it.  Run by run_report_browser.py, which seeds the database and passes expect.json (argv[2])
// with the sums the report must show, computed from the seed's own counts.
//
// - head-b (head of bravo) opens /report/bravo?period=this_year: the team's, the period
//   before's, its group's and the organisation's responses and index equal the seed's sums,
//   on the page and in /api/v1/report (JSON and CSV); the page names no other department.
// - head-b asking for another department's report gets 404, from the page and the API; a
//   technician gets 403.
// - Both print it to PDF (A4; run_report_browser.py reads the pages) and screenshot it.
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
const num = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

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

// The figures table's column of a section: [responses, index] as printed.
async function column(page, col) {
  return page.evaluate((c) => {
    const rows = [...document.querySelectorAll('table.report-figures tbody tr')];
    const cell = (r) => rows[r].children[c];
    return { index: cell(0).firstChild ? cell(0).firstChild.textContent.trim() : '',
             n: cell(4).textContent.trim() };
  }, col);
}

async function report(browser, who, label) {
  const { context, page } = await loggedIn(browser, who);
  const r = await page.goto(`${expect.base}/report/bravo?period=this_year`);
  check(r.ok(), `${label}: /report/bravo -> ${r.status()}`);
  check((await page.innerText('h1')) === expect.name, `${label}: heading ${await page.innerText('h1')}`);
  const sections = { team: 1, previous: 2, group: 3, organisation: 4 };
  const api = await (await page.request.get(`${expect.base}/api/v1/report.json?department=bravo&period=this_year`)).json();
  const rows = Object.fromEntries(api.items.filter((i) => i.section !== 'week').map((i) => [i.section, i]));
  for (const [name, col] of Object.entries(sections)) {
    const want = expect.want[name];
    const shown = await column(page, col);
    const wantIndex = want.index === null ? '–' : want.index.toFixed(1);
    check(shown.index === wantIndex, `${label}: ${name} index ${shown.index}, expected ${wantIndex}`);
    check(shown.n === (want.n ? num(want.n) : '–'), `${label}: ${name} responses ${shown.n}, expected ${want.n}`);
    check(rows[name] && rows[name].responses === want.n, `${label}: API ${name} responses ${rows[name] && rows[name].responses}`);
    check(rows[name] && (want.index === null ? rows[name].index === null : Math.abs(rows[name].index - want.index) < 0.051),
      `${label}: API ${name} index ${rows[name] && rows[name].index}, expected ${want.index}`);
  }
  const weeks = api.items.filter((i) => i.section === 'week');
  check(weeks.reduce((a, w) => a + w.responses, 0) === expect.want.team.n,
    `${label}: the API's weeks sum to ${weeks.reduce((a, w) => a + w.responses, 0)}, not ${expect.want.team.n}`);
  const weekRows = await page.$$eval('table.report-weeks tbody tr', (trs) => trs.length);
  check(weekRows === weeks.length, `${label}: ${weekRows} week rows on the page, ${weeks.length} in the API`);
  check(rows.team && rows.team.rank >= 1 && rows.team.rank <= rows.team.of, `${label}: rank ${JSON.stringify(rows.team)}`);
  const csv = await (await page.request.get(`${expect.base}/api/v1/report.csv?department=bravo&period=this_year`)).text();
  const team = csv.split('\r\n').find((l) => l.startsWith('bravo,team,'));
  check(team && team.split(',')[4] === String(expect.want.team.n), `${label}: CSV team row ${team}`);
  await screenshot(page, { path: path.join(expect.outdir, `${expect.prefix}-${label}-1280.png`), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: path.join(expect.outdir, `${expect.prefix}-${label}.pdf`), format: 'A4', printBackground: true,
    preferCSSPageSize: true });
  console.log(`printed ${path.join(expect.outdir, `${expect.prefix}-${label}.pdf`)}`);
  return { context, page };
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const head = await report(browser, expect.head, 'head');
  const text = await head.page.innerText('body');
  check(!text.includes('Alpha') && !text.includes('Charlie'), 'head: the report names another department');
  const other = await head.page.goto(`${expect.base}/report/${expect.other}?period=this_year`);
  check(other.status() === 404, `head: /report/${expect.other} -> ${other.status()}, expected 404`);
  const otherApi = await head.page.request.get(`${expect.base}/api/v1/report.json?department=${expect.other}`);
  check(otherApi.status() === 404, `head: the API's report of ${expect.other} -> ${otherApi.status()}, expected 404`);
  const none = await head.page.request.get(`${expect.base}/api/v1/report.json`);
  check(none.status() === 400, `head: the API's report without a department -> ${none.status()}, expected 400`);
  await head.context.close();
  const admin = await report(browser, expect.admin, 'admin');
  await admin.context.close();
  if (expect.tech) {
    const tech = await loggedIn(browser, expect.tech);
    const r = await tech.page.goto(`${expect.base}/report/bravo`);
    check(r.status() === 403, `technician: /report/bravo -> ${r.status()}, expected 403`);
    await tech.context.close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`report: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('report: ok');
