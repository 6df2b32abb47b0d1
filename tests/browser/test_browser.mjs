// test_browser.mjs: the dashboard in Debian's chromium (headless), driven by playwright-core,
// as a department head's browser would use it.  Run by run_browser.py, which seeds the
// database, starts wowdash serve and passes expect.json (argv[2]): the server's base URL, the
// admin's password, the league's expected first row, where to write screenshots.
//
// Steps: log in through the form; read the league table (first row and its number with n);
// open a department (the heat map SVG); acknowledge an alert (its state text changes), give it an
// owner and a note, and read the recognise-and-act times against the API's;
// a tap synced to the database while the department page is open shows on it within seconds,
// without a reload (live.js); download the CSV (the download event) and parse it; log out (the old page asks for a login).
// Screenshots at 1280x900 and 390x844 of login, overview, department, alerts and fleet as
// OUTDIR/browser-<page>-<desktop|phone>.png.  Throughout: no request leaves 127.0.0.1, no
// console error, no page error, no CSP violation.  Exit 1 with every failure listed.
import { execFileSync } from 'node:child_process';
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

// every request, console message and page error of a page, checked as they come
function watch(page, label) {
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'data:' || u.protocol === 'about:') return;
    check(u.host === base.host, `${label}: a request left ${base.host}: ${req.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content.Security.Policy/i.test(msg.text()))
      fail(`${label}: console ${msg.type()}: ${msg.text()} (${msg.location().url || page.url()})`);
  });
  // a sub-resource that fails (a stylesheet, an icon) is a broken page, whatever the console says
  page.on('response', (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== 'document')
      fail(`${label}: ${res.request().resourceType()} ${res.url()} -> ${res.status()}`);
  });
  page.on('pageerror', (err) => fail(`${label}: page error: ${err.message}`));
}

async function shot(page, name, width) {
  const file = path.join(expect.outdir, `browser-${name}-${width}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

// the page does not scroll sideways as a whole (a wide table may scroll in its own box)
async function checkNoSidewaysScroll(page, label) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  check(scroll <= client + 1, `${label}: the page is ${scroll} px wide in a ${client} px window`);
}

async function login(page, label) {
  const r = await page.goto(`${expect.base}/overview`);
  check(r.ok(), `${label}: GET /overview -> ${r.status()}`);
  check(new URL(page.url()).pathname === '/login', `${label}: not sent to /login: ${page.url()}`);
  return page;
}

async function submitLogin(page, label) {
  await page.fill('input[name="user"]', expect.admin.user);
  await page.fill('input[name="password"]', expect.admin.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  check(new URL(page.url()).pathname === '/overview', `${label}: after login at ${page.url()}`);
}

// the league table's rows as visible text, with the row that names each department
async function leagueRows(page) {
  return page.$$eval('table tr', (trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ')));
}

function hasNumber(text, n) {
  const forms = [String(n), n.toLocaleString('en-US'), n.toLocaleString('en-US').replace(/,/g, '\u202f'),
    n.toLocaleString('en-US').replace(/,/g, '\u2009'), n.toLocaleString('en-US').replace(/,/g, '\u00a0'),
    n.toLocaleString('en-US').replace(/,/g, ' ')];
  return forms.some((f) => new RegExp(`(^|[^\\d.,])${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\d)`).test(text));
}

async function readLeague(page) {
  const rows = await leagueRows(page);
  const named = rows.filter((t) => expect.departments.some((d) => t.includes(d)));
  const first = named[0] || '';
  check(first.includes(expect.first.name),
    `league: first row ${JSON.stringify(first)}, expected ${expect.first.name}`);
  check(hasNumber(first, expect.first.n) && first.includes(expect.first.index),
    `league: ${expect.first.name}'s row should show index ${expect.first.index} over n ${expect.first.n}: ${JSON.stringify(first)}`);
  console.log(`league first row: ${first}`);
}

async function openDepartment(page) {
  await Promise.all([page.waitForNavigation(), page.click(`table a:has-text("${expect.alpha.name}")`)]);
  check(/^\/department\/alpha$/.test(new URL(page.url()).pathname), `department: at ${page.url()}`);
  const heat = await page.$$eval('svg', (svgs) => svgs.map((s) => ({
    rects: s.querySelectorAll('rect').length,
    titles: [...s.querySelectorAll('title')].map((t) => t.textContent).filter((t) => /(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*\s+\d{1,2}:00/.test(t)).length,
    visible: s.getBoundingClientRect().width > 0,
  })));
  // 7 weekdays x the hours someone answered in (empty night hours are left out)
  check(heat.some((h) => h.titles >= 7 && h.titles % 7 === 0 && h.rects >= h.titles && h.visible),
    `department: no visible heat map SVG (7 rows of cells with "Mon 14:00" titles): ${JSON.stringify(heat)}`);
  const text = await page.innerText('body');
  check(hasNumber(text, expect.alpha.n), `department: alpha's n ${expect.alpha.n} is not on the page`);
}

// A tap reaches the database (add_tap.py writes it as a kiosk's sync round does) while the
// department page is open: its n goes up by one within LIVE_WITHIN_MS, with no navigation.
const LIVE_WITHIN_MS = 8000;
async function liveUpdate(page, width) {
  let navigated = false;
  const onNav = (frame) => { if (frame === page.mainFrame()) navigated = true; };
  page.on('framenavigated', onNav);
  await page.waitForTimeout(1500); // live.js has asked for the generation and waits
  const started = Date.now();
  execFileSync('python3', [expect.add_tap, expect.db, expect.alpha.kiosk, 'alpha', '4']);
  const n = expect.alpha.n + 1;
  const shown = await page.waitForFunction((want) => {
    const text = document.body.innerText;
    return new RegExp(`(^|[^0-9,])${want.toLocaleString('en-US')}([^0-9,]|$)`).test(text) ||
      new RegExp(`(^|[^0-9])${want}([^0-9]|$)`).test(text);
  }, n, { timeout: LIVE_WITHIN_MS, polling: 100 }).then(() => true, () => false);
  const took = Date.now() - started;
  page.off('framenavigated', onNav);
  console.log(`live: the new tap showed after ${took} ms`);
  check(shown, `live: alpha's n ${n} not on the open department page within ${LIVE_WITHIN_MS} ms`);
  check(!navigated, 'live: the page was reloaded as a whole, not updated in place');
  await shot(page, 'department-live', width);
  expect.alpha.n = n; // the CSV and the pages after this include it
}

async function downloadCsv(page) {
  const link = await page.$('a[href*="/api/v1/counts"][href*="csv"]');
  let download;
  if (check(link !== null, 'department: no CSV download link (a[href*="/api/v1/counts"][href*="csv"])')) {
    [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  } else {
    [download] = await Promise.all([page.waitForEvent('download'),
      page.goto(`${expect.base}/api/v1/counts.csv?department=alpha`).catch(() => null)]);
  }
  const name = download.suggestedFilename();
  check(/^wowdash-counts-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/.test(name), `csv: file name ${name}`);
  const file = path.join(expect.outdir, 'browser-download.csv');
  await download.saveAs(file);
  const bytes = readFileSync(file);
  check(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf, 'csv: no BOM');
  const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter((l) => l !== '');
  const header = lines[0].split(',');
  const col = (c) => header.indexOf(c);
  check(col('responses') >= 0 && col('department') >= 0, `csv: header ${lines[0]}`);
  let n = 0;
  for (const line of lines.slice(1)) {
    const cells = line.split(','); // counts rows hold no commas or quotes
    check(cells.length === header.length, `csv: ragged row ${line}`);
    check(cells[col('department')] === 'alpha', `csv: a row of ${cells[col('department')]}`);
    n += Number(cells[col('responses')]);
  }
  check(n === expect.alpha.n, `csv: responses sum to ${n}, expected alpha's ${expect.alpha.n}`);
  console.log(`csv ${name}: ${lines.length - 1} rows, ${n} responses`);
}

async function acknowledge(page, width) {
  await page.goto(`${expect.base}/alerts`);
  await shot(page, 'alerts', width);
  // a link to one alert (not the state tabs, /alerts?state=...) in delta's entry
  const link = await page.$(`:is(li, tr):has-text("${expect.alert_department}") a[href^="/alerts/"]`);
  if (!check(link !== null, 'alerts: no link to an alert on /alerts')) return;
  await Promise.all([page.waitForNavigation(), link.click()]);
  const before = await page.innerText('body');
  check(/\bopen\b/i.test(before), 'alert: the state does not read "open" before acknowledging');
  const button = await page.$('form[action*="/acknowledge"] button, form[action*="/acknowledge"] input[type="submit"]');
  if (!check(button !== null, 'alert: no acknowledge button')) return;
  await Promise.all([page.waitForNavigation(), button.click()]);
  const after = await page.innerText('body');
  check(/acknowledged/i.test(after) && after !== before,
    'alert: the state text did not change to acknowledged');
  check(await page.$('form[action*="/acknowledge"] button') === null,
    'alert: the acknowledge button is still offered on an acknowledged alert');
  await shot(page, 'alert', width);
  await draftSurvives(page);
  await recogniseAndAct(page, width);
}

// Recognise and act: the alert gets an owner and a note of what was done through its forms;
// the department page and the organisation's table show the times with their counts, equal to
// the API's (independent of the page's own arithmetic).
async function recogniseAndAct(page, width) {
  const alertUrl = page.url();
  await page.fill('input[name="assignee"]', 'admin');
  await Promise.all([page.waitForNavigation(), page.click('form[action*="/assign"] button')]);
  const note = 'Second lab technician on Mondays';
  await page.fill('textarea[name="note"]', note);
  await Promise.all([page.waitForNavigation(), page.click('form[action*="/resolve"] button')]);
  const act = await page.innerText('#act + dl');
  check(act.includes('admin') && act.includes(note), `alert: owner and note not shown: ${act}`);
  check(/after it opened/.test(act), `alert: no time to act shown: ${act}`);
  await shot(page, 'alert-act', width);
  const api = await (await page.request.get(`${expect.base}/api/v1/alert-times?period=last_30_days`)).json();
  const row = api.items.find((it) => it.department_name === expect.alert_department);
  if (!check(row !== undefined, `alert-times API has no ${expect.alert_department}: ${JSON.stringify(api)}`)) return;
  await page.goto(`${expect.base}/alerts/times?period=last_30_days`);
  await shot(page, 'alert-times', width);
  const tr = page.locator('table.act tbody tr', { hasText: expect.alert_department });
  const cells = await tr.locator('td').allInnerTexts();
  check(cells.length === 6, `alert times: ${cells.length} cells in ${expect.alert_department}'s row`);
  check(Number(cells[0].replace(/\D/g, '')) === row.alerts,
    `alert times: ${cells[0]} alerts on the page, ${row.alerts} in the API`);
  check(cells[2].includes(`n = ${row.act_n}`) && row.act_n >= 1,
    `alert times: time to act "${cells[2]}", API act_n ${row.act_n}`);
  const total = page.locator('table.act tr.total td').first();
  const all = api.items.find((it) => it.department === '');
  check(Number((await total.innerText()).replace(/\D/g, '')) === all.alerts,
    `alert times: the organisation's total differs from the API's ${all.alerts}`);
  await page.goto(`${expect.base}/department/${row.department}?period=last_30_days`);
  const dept = await page.locator('table.act tbody tr td').allInnerTexts();
  check(dept.length === 6 && Number(dept[0].replace(/\D/g, '')) === row.alerts,
    `department page: recognise and act row ${JSON.stringify(dept)}, API ${row.alerts} alerts`);
  await page.goto(alertUrl);
}

// A comment being typed (the focus already elsewhere) is not wiped when new counts arrive:
// live.js leaves a <main> whose fields were changed alone.
async function draftSurvives(page) {
  const draft = 'Called the lab lead; follow up tomorrow';
  await page.fill('textarea[name="body"]', draft);
  await page.click('h1');
  await page.waitForTimeout(1500);
  execFileSync('python3', [expect.add_tap, expect.db, expect.alpha.kiosk, 'alpha', '4']);
  expect.alpha.n += 1;
  await page.waitForTimeout(4000); // the live update came and went (it takes about a second)
  check(await page.inputValue('textarea[name="body"]') === draft,
    'live: a comment being typed was wiped when new counts arrived');
}

async function logout(page) {
  const button = await page.$('form[action="/logout"] button, form[action="/logout"] input[type="submit"]');
  if (!check(button !== null, 'no logout button')) return;
  await Promise.all([page.waitForNavigation(), button.click()]);
  check(new URL(page.url()).pathname === '/login', `logout: at ${page.url()}`);
  await page.goto(`${expect.base}/overview`);
  check(new URL(page.url()).pathname === '/login', `after logout /overview did not ask for a login: ${page.url()}`);
}

async function desktop(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  watch(page, 'desktop');
  await login(page, 'desktop');
  await shot(page, 'login', 'desktop');
  await submitLogin(page, 'desktop');
  await readLeague(page);
  await shot(page, 'overview', 'desktop');
  await openDepartment(page);
  await shot(page, 'department', 'desktop');
  await liveUpdate(page, 'desktop');
  await downloadCsv(page);
  await acknowledge(page, 'desktop');
  await page.goto(`${expect.base}/fleet`);
  await shot(page, 'fleet', 'desktop');
  await logout(page);
  await context.close();
}

async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  watch(page, 'phone');
  await login(page, 'phone');
  await shot(page, 'login', 'phone');
  await checkNoSidewaysScroll(page, 'phone /login');
  await submitLogin(page, 'phone');
  for (const [name, url] of [['overview', '/overview'], ['department', '/department/alpha'],
    ['alerts', '/alerts'], ['alert-times', '/alerts/times'], ['fleet', '/fleet']]) {
    const r = await page.goto(`${expect.base}${url}`);
    check(r.ok(), `phone: ${url} -> ${r.status()}`);
    await shot(page, name, 'phone');
    await checkNoSidewaysScroll(page, `phone ${url}`);
  }
  await context.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  // root in CI and containers: chromium's sandbox needs user namespaces it may not have
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
  for (const run of [desktop, phone]) {
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
  console.log(`browser: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('browser: all checks passed');
