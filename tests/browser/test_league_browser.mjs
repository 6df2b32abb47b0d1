// test_league_browser.mjs: the overview's league as a department head and an admin read it, in
// Debian's chromium (headless) driven by playwright-core.  Run by run_league_browser.py, which
// seeds the database and passes expect.json (argv[2]) with the figures computed from the seed.
//
// Head of one department (head-b, bravo in "Group G"): the league shows bravo alone, ranked
// among every department ("3 of 5"), its group's row with the whole group's index and responses
// (not bravo's), the organisation's row with everybody's, and no other department's name.
// Admin: the alert badge on delta's row counts its open alerts as the API lists them; the open
// alerts come one box per department; the "Last 7 days" column; the new presets in the period
// filter, and choosing "Last 7 days" changes the organisation's responses to the last 7 days'.
// Screenshots: OUTDIR/league-<who>-<width>.png.  Exit 1 with every failure listed.
import { execFileSync } from 'node:child_process';
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
// a whole number as the English pages write it, thousands grouped by a comma ("17,256")
const num = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const check = (cond, what) => {
  if (!cond) fail(what);
  return cond;
};

async function shot(page, name) {
  const file = path.join(expect.outdir, `league-${name}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function login(context, who) {
  const page = await context.newPage();
  page.on('pageerror', (err) => fail(`${who.user}: page error: ${err.message}`));
  await page.goto(`${expect.base}/overview`);
  await page.fill('input[name="user"]', who.user);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  check(new URL(page.url()).pathname === '/overview', `${who.user}: after login at ${page.url()}`);
  return page;
}

// every league row as {name, bench, cells[]} (cells: the td texts, whitespace folded)
function leagueRows(page) {
  return page.$$eval('table.league tbody tr', (trs) =>
    trs.filter((tr) => tr.querySelector('th[scope="row"]')).map((tr) => ({
      name: tr.querySelector('th[scope="row"]').innerText.replace(/\s+/g, ' ').trim(),
      bench: tr.dataset.bench || '',
      group: tr.classList.contains('group'),
      cells: [...tr.querySelectorAll('td')].map((td) => td.innerText.replace(/\s+/g, ' ').trim()),
    })));
}

// cells: 0 rank, 1 index, 2 CSAT, 3 WOW, 4 responses, 5 change, 6 last 7 days, 7 per day
function checkRow(row, want, label) {
  if (!check(row, `${label}: no such row`)) return;
  check(row.cells[4] === num(want.n), `${label}: responses ${row.cells[4]}, expected ${want.n}`);
  check(row.cells[1].startsWith(want.index), `${label}: index "${row.cells[1]}", expected ${want.index}`);
}

async function head(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await login(context, expect.head);
  const rows = await leagueRows(page);
  const departments = rows.filter((r) => !r.group);
  check(departments.length === 1 && departments[0].name.startsWith(expect.bravo.name),
    `head: department rows ${JSON.stringify(departments.map((r) => r.name))}, expected bravo alone`);
  const bravo = departments[0];
  if (bravo) {
    check(bravo.cells[0] === `${expect.bravo.rank} of ${expect.bravo.of}`,
      `head: bravo's rank "${bravo.cells[0]}", expected "${expect.bravo.rank} of ${expect.bravo.of}"`);
    check(bravo.cells[4] === num(expect.bravo.n), `head: bravo's responses ${bravo.cells[4]}`);
  }
  checkRow(rows.find((r) => r.group && r.name === expect.group.name), expect.group, 'head: group row');
  checkRow(rows.find((r) => r.bench === 'organisation'), expect.org, 'head: organisation row');
  check(rows.some((r) => r.bench === 'median'), 'head: no median department row');
  const text = await page.innerText('main');
  for (const name of expect.hidden)
    check(!text.includes(name), `head: another department's name "${name}" on the overview`);
  check(!/mean of all departments \(/.test(text) || text.includes(`(${expect.org.index})`),
    `head: the league's note does not give the organisation's mean ${expect.org.index}`);
  await shot(page, 'head-1280');
  // missing data: bravo's kiosk silent for 3 h with 312 rows waiting, said before the numbers
  await page.goto(`${expect.base}/department/bravo`);
  const flag = await page.$('.flag-missing');
  const flagText = flag ? (await flag.innerText()).replace(/\s+/g, ' ') : '';
  check(/may be incomplete/.test(flagText) && flagText.includes('k-bravo-1') &&
    /last heard 3 h ago/.test(flagText) && flagText.includes('312 rows'),
    `head: bravo's page does not flag its silent kiosk: "${flagText}"`);
  await shot(page, 'head-department-1280');
  // the heat map: only the hours with answers, coloured around the department's own index
  const cols = await page.$$eval('section[aria-labelledby="heat"] svg.heat g > title', (ts) => ts.length);
  check(cols > 0 && cols < 7 * 24, `head: the heat map keeps ${cols} cells, the empty night's too`);
  // live.js may swap the page's main for a fresher one mid-shot (slow under ASan): shot.mjs tries again
  await screenshot(page.locator('section[aria-labelledby="heat"]'), { path: path.join(expect.outdir, 'league-heat-1280.png') });
  await context.close();
}

async function admin(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await login(context, expect.admin);
  const api = await (await page.request.get(`${expect.base}/api/v1/alerts?state=open`)).json();
  const open = {};
  for (const a of api.items) open[a.department_name] = (open[a.department_name] || 0) + 1;
  check((open[expect.alert_department] || 0) > 0, `admin: no open alert of ${expect.alert_department} in the API`);
  const rows = await leagueRows(page);
  for (const row of rows.filter((r) => !r.group)) {
    const n = Object.entries(open).find(([name]) => row.name.startsWith(name));
    const badge = /(\d+) open alerts?/.exec(row.name);
    if (n)
      check(badge && Number(badge[1]) === n[1],
        `admin: ${row.name}: badge ${badge ? badge[1] : 'missing'}, the API has ${n[1]} open`);
    else
      check(!badge, `admin: ${row.name}: a badge without an open alert`);
  }
  const headings = await page.$$eval('section.open-alerts h3', (hs) =>
    hs.map((h) => h.innerText.replace(/\s*\d+ open alerts?$/, '').trim()));
  check(headings.length === Object.keys(open).length && new Set(headings).size === headings.length,
    `admin: open alerts grouped as ${JSON.stringify(headings)}, the API has ${JSON.stringify(open)}`);
  const raw = await page.$eval('tr[data-bench="organisation"] td:nth-child(6)', (td) => td.textContent);
  check(/^\d{1,3}(,\d{3})+$/.test(raw.trim()), `admin: the organisation's responses "${raw}" are not grouped by commas`);
  const head7 = await page.$$eval('table.league thead th', (ths) => ths.map((t) => t.innerText));
  check(head7.includes('Last 7 days'), `admin: no "Last 7 days" column in ${JSON.stringify(head7)}`);
  const presets = await page.$$eval('#f-period option', (os) => os.map((o) => o.value));
  for (const p of ['last_7_days', 'last_90_days', 'this_quarter', 'this_year'])
    check(presets.includes(p), `admin: no period preset ${p} in ${JSON.stringify(presets)}`);
  await shot(page, 'admin-1280');
  // sorting by a column: the Responses header's link orders the departments by responses
  await Promise.all([page.waitForNavigation(), page.click('table.league thead a:text-is("Responses")')]);
  const byN = (await leagueRows(page)).filter((r) => !r.group).map((r) => Number(r.cells[4].replace(/[\s,]/g, '')));
  check(byN.length > 1 && byN.every((n, i) => i === 0 || byN[i - 1] >= n),
    `admin: sorted by responses: ${JSON.stringify(byN)}`);
  check(new URL(page.url()).searchParams.get('sort') === 'responses', `admin: sort link went to ${page.url()}`);
  // CSV links on the overview, alerts and fleet pages, each downloading its export
  for (const [where, api] of [['/overview', '/api/v1/counts.csv'], ['/alerts?state=all', '/api/v1/alerts.csv'], ['/fleet', '/api/v1/kiosks.csv']]) {
    await page.goto(`${expect.base}${where}`);
    const href = await page.$eval(`main a[href^="${api}"]`, (a) => a.getAttribute('href')).catch(() => null);
    if (!check(href, `csv: no link to ${api} on ${where}`)) continue;
    const res = await page.request.get(`${expect.base}${href}`);
    check(res.status() === 200 && /text\/csv/.test(res.headers()['content-type'] || ''),
      `csv: ${href} -> ${res.status()} ${res.headers()['content-type']}`);
  }
  // the fleet page: departments by name, the kiosk on another version than the rest flagged
  await page.goto(`${expect.base}/fleet`);
  const fleet = await page.$$eval('table.fleet tbody tr', (trs) => trs.map((tr) => ({
    kiosk: tr.querySelector('th').innerText.trim(),
    cells: Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.label, td.innerText.trim()])),
  })));
  for (const k of fleet) {
    const odd = /most run 1\.4\.0/.test(k.cells.Version || '');
    check(odd === (k.kiosk === 'k-cmd-1'), `fleet: ${k.kiosk}: version "${k.cells.Version}"`);
  }
  const bravoKiosk = fleet.find((k) => k.kiosk === 'k-bravo-1');
  check(bravoKiosk && bravoKiosk.cells.Department === expect.bravo.name,
    `fleet: k-bravo-1's department reads "${bravoKiosk && bravoKiosk.cells.Department}"`);
  await shot(page, 'fleet-1280');
  await page.goto(`${expect.base}/overview`);
  await page.selectOption('#f-period', 'last_7_days');
  await Promise.all([page.waitForNavigation(), page.click('form.filter button[type="submit"]')]);
  check(new URL(page.url()).searchParams.get('period') === 'last_7_days', `admin: after Apply at ${page.url()}`);
  const week = (await leagueRows(page)).find((r) => r.bench === 'organisation');
  check(week && week.cells[4] === num(expect.last7.n),
    `admin: last 7 days: organisation's responses ${week && week.cells[4]}, expected ${expect.last7.n}`);
  await context.close();
}

// The filters: Department on a department's page opens that department (no Group there);
// From/To changed without choosing "Custom range" make a custom range (no script on the page);
// /alerts honours the period (open at any time in it).
async function filters(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const page = await login(context, expect.admin);
  await page.goto(`${expect.base}/department/bravo`);
  check(await page.$('#f-group') === null, 'filters: a Group selector on a department page');
  await page.selectOption('#f-department', 'charlie');
  await Promise.all([page.waitForNavigation(), page.click('form.filter button[type="submit"]')]);
  const u = new URL(page.url());
  check(u.pathname === '/department/charlie', `filters: Department=charlie on bravo's page went to ${page.url()}`);
  check((await page.innerText('h1')).includes(expect.charlie), `filters: the heading is "${await page.innerText('h1')}"`);
  check(await page.$eval('#f-department', (s) => s.value) === 'charlie', 'filters: the selector does not show charlie');
  check(await page.$('.flag-missing') === null, 'filters: charlie\'s page flags missing data it does not miss');
  await page.goto(`${expect.base}/overview`);
  await page.fill('#f-from', expect.custom.from);
  await page.fill('#f-to', expect.custom.to);
  await Promise.all([page.waitForNavigation(), page.click('form.filter button[type="submit"]')]);
  check(await page.$eval('#f-period', (s) => s.value) === 'custom',
    `filters: From/To changed under "Last 30 days": period ${await page.$eval('#f-period', (s) => s.value)}`);
  check((await page.innerText('main')).includes(expect.custom.words),
    `filters: the period line does not say "${expect.custom.words}"`);
  await shot(page, 'filters-custom-1280');
  await page.goto(`${expect.base}/alerts?state=all&period=custom&from=${expect.custom.before}&to=${expect.custom.before}`);
  const old = await page.$$('main a[href^="/alerts/"]');
  check(old.length === 0, `filters: /alerts for a day before any alert lists ${old.length}`);
  await page.goto(`${expect.base}/alerts?state=all&period=last_7_days`);
  const recent = await page.$$('main a[href^="/alerts/"]');
  check(recent.length > 0, '/alerts for the last 7 days lists no alert');
  // one zone: alert times in the dashboard's (Europe/Helsinki, +02:00 in winter), saying so
  const alertsText = await page.innerText('main');
  check(/\d\d:\d\d \+0[23]:00/.test(alertsText) && !/\d\d:\d\d UTC/.test(alertsText),
    'filters: alert times are not in the dashboard\'s zone with its offset');
  await shot(page, 'filters-alerts-1280');
  // the site filter, without JavaScript: the organisation's row counts that site's kiosks
  await page.goto(`${expect.base}/overview`);
  await page.selectOption('#f-site', expect.site.id);
  await Promise.all([page.waitForNavigation(), page.click('form.filter button[type="submit"]')]);
  check(new URL(page.url()).searchParams.get('site') === expect.site.id, `filters: site not in ${page.url()}`);
  const org = (await leagueRows(page)).find((r) => r.bench === 'organisation');
  check(org && org.cells[4] === num(expect.site.n),
    `filters: site ${expect.site.id}: organisation's responses ${org && org.cells[4]}, expected ${expect.site.n}`);
  check((await page.innerText('p.period')).includes(`Site ${expect.site.id} only`),
    `filters: the period line does not say the site: "${await page.innerText('p.period')}"`);
  await shot(page, 'filters-site-1280');
  // the poster of a department, from its page
  await page.goto(`${expect.base}/department/bravo`);
  await Promise.all([page.waitForNavigation(), page.click('text=Poster for the staff room')]);
  check(new URL(page.url()).pathname === '/poster/bravo', `filters: the poster link went to ${page.url()}`);
  check((await page.innerText('main')).includes('customers told us how we did'), 'filters: the poster says no thanks');
  await shot(page, 'poster-1280');
  await context.close();
}

// A 360 px phone: every key column of every league row (rank, name, index, responses, change,
// last 7 days) inside the screen, labelled, the page not scrolling sideways; the open alerts one
// line per department; the department page's heat map on screen.
async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const page = await login(context, expect.admin);
  const off = await page.$$eval('table.league tbody tr', (trs) => {
    const bad = [];
    for (const tr of trs) {
      const name = tr.querySelector('th[scope="row"]');
      if (!name) continue;
      const cells = [tr.children[0], name, ...[2, 5, 6, 7].map((i) => tr.children[i])];
      for (const c of cells) {
        const r = c.getBoundingClientRect();
        if (r.left < 0 || r.right > window.innerWidth + 1 || r.width === 0)
          bad.push(`${name.innerText.trim()}: cell ${[...tr.children].indexOf(c)} at ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
    }
    return bad;
  });
  check(off.length === 0, `phone: key league columns off-screen: ${off.join('; ')}`);
  const label = await page.$eval('table.league tbody tr td:nth-child(6)', (td) => getComputedStyle(td, '::before').content);
  check(/Responses/.test(label), `phone: the responses cell is not labelled (${label})`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 361, `phone: the overview is ${wide} px wide`);
  const alertsShown = await page.$$eval('ul.alert-groups li.alert', (ls) => ls.filter((l) => l.offsetParent !== null).length);
  check(alertsShown === 0, `phone: ${alertsShown} single alerts shown above the league`);
  await shot(page, 'phone-360');
  await page.goto(`${expect.base}/department/delta`);
  const dwide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(dwide <= 361, `phone: delta's page is ${dwide} px wide`);
  await shot(page, 'phone-department-360');
  await context.close();
}

// The wall display: a browser with no session opens /wall with head-b's token in the URL; it
// shows bravo alone (the token's scope), in large type, and reloads by itself: a new tap for
// bravo shows without the test navigating.  The token opens no other page.
async function wall(browser) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => fail(`wall: page error: ${err.message}`));
  const r = await page.goto(`${expect.base}/wall?key=${expect.wall_key}&every=5`);
  check(r.status() === 200 && new URL(page.url()).pathname === '/wall', `wall: ${r.status()} at ${page.url()}`);
  const rows = await page.$$eval('table.wall-league tbody tr', (trs) => trs.map((tr) =>
    [...tr.children].map((c) => c.innerText.replace(/\s+/g, ' ').trim())));
  check(rows.length === 1 && rows[0][0].startsWith(expect.bravo.name) && rows[0][2] === num(expect.bravo.n),
    `wall: rows ${JSON.stringify(rows)}, expected bravo alone with ${expect.bravo.n} responses`);
  const px = await page.$eval('table.wall-league td', (td) => parseFloat(getComputedStyle(td).fontSize));
  check(px >= 30, `wall: its numbers are ${px} px high at 1920 px wide; too small for 3 m`);
  await shot(page, 'wall-1920');
  let navigations = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations++; });
  execFileSync('python3', [expect.add_tap, expect.db, 'k-bravo-1', 'bravo', '4']);
  const want = num(expect.bravo.n + 1);
  let seen = false;
  for (let i = 0; i < 40 && !seen; i++) {
    await page.waitForTimeout(500);
    seen = await page.$$eval('table.wall-league tbody tr td:nth-child(3)', (tds, w) =>
      tds.some((td) => td.innerText.trim() === w), want).catch(() => false);
  }
  check(seen && navigations > 0, `wall: the new tap (${want}) did not show by itself within 20 s (reloads: ${navigations})`);
  for (const other of ['/overview', '/api/v1/counts']) {
    const o = await context.request.get(`${expect.base}${other}?key=${expect.wall_key}`, { maxRedirects: 0 });
    check(o.status() === 303 || o.status() === 401, `wall: the token opened ${other}: ${o.status()}`);
  }
  const bad = await context.request.get(`${expect.base}/wall?key=wdt_forged`, { maxRedirects: 0 });
  check(bad.status() === 303, `wall: a forged key got ${bad.status()}`);
  await context.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
try {
  for (const run of [head, admin, filters, phone, wall]) {
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
  console.log(`league: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('league: all checks passed');
