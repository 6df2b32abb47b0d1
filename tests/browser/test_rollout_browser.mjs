// test_rollout_browser.mjs: a paused rollout on the fleet page, as an admin's browser shows
// it.  Run by run_rollout_browser.py (expect.json in argv[2]).
//
// English at 1280x900: the rollout section says "Update 1.5.0: paused (the whole fleet)",
// "1 of 4 kiosks in this stage run it, 1 on their way, 1 failed.", the note naming k-bad;
// k-bad's version cell "update to 1.5.0: failed its self-test" marked as a failure, k-busy's
// "installing", k-canary's none (it runs the version).  Finnish: the same in Finnish.  At
// 390x844 nothing scrolls sideways but the kiosks' table.  Then the actions: a technician
// sees none (and a POST of theirs is refused); to a technician an admin allowed to act on
// rollouts the paused rollout offers Resume and Stop only; Resume with a note runs it on the
// whole fleet again (the admin is then offered Pause and Stop), the admin's Stop ends it (no actions on it left), and the form to start one offers 1.6.0, published and
// never rolled out: started with canary k-late, its section offers Promote, Pause and Stop.  Screenshots OUTDIR/browser-rollout-<lang>-<width>[-<user>].png and
// browser-rollout-{resumed,stopped}.png.  Exit 1 with every failure listed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { screenshot } from './shot.mjs';

const expect = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const require = createRequire(path.join(expect.modules, 'noop.js'));
const { chromium } = require('playwright-core');

const failures = [];
const check = (cond, what) => {
  if (!cond) {
    failures.push(what);
    console.log(`FAIL ${what}`);
  }
  return cond;
};

// The screenshot is browser-rollout-<lang>-<width>.png for the admin's first look, and gets
// the user's name for the others (tom, liv, and the admin's actions: -ada), so none is
// overwritten.
async function fleetPage(browser, locale, width, height, who = expect.admin, tag = '') {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  const page = await context.newPage();
  page.on('pageerror', (err) => check(false, `${locale}: page error: ${err.message}`));
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', who.user);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  const r = await page.goto(`${expect.base}/fleet`);
  check(r.ok(), `${locale}: /fleet -> ${r.status()}`);
  const file = path.join(expect.outdir,
    `browser-rollout-${locale.slice(0, 2)}-${width}${tag ? `-${tag}` : ''}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
  return { context, page };
}

const rowText = (page, id) =>
  page.$eval(`xpath=//tr[th[normalize-space()="${id}"]]`, (tr) => tr.innerText);

async function english(browser) {
  const { context, page } = await fleetPage(browser, 'en-GB', 1280, 900);
  const section = await page.$eval('section.rollout', (s) => s.innerText);
  check(section.includes('Update 1.5.0: paused (the whole fleet)'), `section: ${section}`);
  check(section.includes('1 of 4 kiosks in this stage run it, 1 on their way, 1 failed.'),
    `progress: ${section}`);
  check(section.includes('3 kiosks of the fleet are on another version.'), `old: ${section}`);
  check(section.includes('kiosk k-bad reports 1.5.0 failed'), `note: ${section}`);
  check(!section.includes('changed by'), `the dashboard's own pause names an actor: ${section}`);
  check(await page.$eval('section.rollout', (s) => s.classList.contains('paused')),
    'the paused section is not marked paused');
  const bad = await rowText(page, 'k-bad');
  check(bad.includes('update to 1.5.0: failed its self-test'), `k-bad: ${bad}`);
  check(bad.includes('self-test exit 1 on slot B: config: /etc/wowkiosk/kiosk.conf:3: ' +
    'kiosk.no_such_key: unknown key <b>x</b>'), `k-bad: why it failed, as text: ${bad}`);
  check(!(await page.$('span.update-error b')), 'k-bad: the kiosk\'s error became markup');
  check(await page.$(`xpath=//tr[th[normalize-space()="k-bad"]]//span[contains(@class,"update-failed")]`),
    'k-bad: the failure is not marked');
  const busy = await rowText(page, 'k-busy');
  check(busy.includes('update to 1.5.0: installing') && busy.includes('slot A'), `k-busy: ${busy}`);
  const canary = await rowText(page, 'k-canary');
  check(!canary.includes('update to') && canary.includes('slot B'),
    `k-canary runs it from slot B, yet: ${canary}`);
  await context.close();
}

async function finnish(browser) {
  const { context, page } = await fleetPage(browser, 'fi-FI', 1280, 900);
  const section = await page.$eval('section.rollout', (s) => s.innerText);
  check(section.includes('Päivitys 1.5.0: keskeytetty (koko laitekanta)'), `fi section: ${section}`);
  // the dashboard's own note is stored in English and shown in the reader's language
  check(section.includes('Pysäytetty itsestään: kioski k-bad ilmoittaa 1.5.0 itsetesti epäonnistui'),
    `fi: the dashboard's own pause note: ${section}`);
  const bad = await rowText(page, 'k-bad');
  check(bad.includes('päivitys versioon 1.5.0: itsetesti epäonnistui'), `fi k-bad: ${bad}`);
  await context.close();
}

async function phone(browser) {
  const { context, page } = await fleetPage(browser, 'en-GB', 390, 844);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 390, `the phone's fleet page is ${wide} px wide`);
  const over = await page.$$eval('td span.tag', (tags) => tags.filter((t) => {
    const cell = t.closest('td').getBoundingClientRect();
    return t.getBoundingClientRect().right > cell.right + 1;
  }).map((t) => t.innerText));
  check(over.length === 0, `tags past their cell's edge on a phone: ${JSON.stringify(over)}`);
  await context.close();
}

const buttons = (page) =>
  page.$$eval('form.rollout-act:not(.rollout-start) button', (b) => b.map((x) => x.value));

async function actions(browser) {
  const tech = await fleetPage(browser, 'en-GB', 1280, 900, expect.technician, 'tom');
  check(await tech.page.$('section.rollout'), 'the technician sees no rollout');
  check(!(await tech.page.$('form.rollout-act')), 'the technician is offered the rollout actions');
  // with the session's own csrf token (the log-out form's): refused for the role alone
  const status = await tech.page.evaluate(async () => {
    const csrf = document.querySelector('input[name="csrf"]').value;
    const body = new URLSearchParams({ action: 'stop', csrf });
    const r = await fetch('/fleet/rollout', { method: 'POST', body });
    return r.status;
  });
  check(status === 403, `a technician's POST /fleet/rollout -> ${status}`);
  await tech.context.close();

  // a technician an admin allowed (user add --rollouts) resumes it
  const lead = await fleetPage(browser, 'en-GB', 1280, 900, expect.lead, 'liv');
  check(JSON.stringify(await buttons(lead.page)) === '["resume","stop"]',
    `paused, the allowed technician: ${JSON.stringify(await buttons(lead.page))}`);
  await lead.page.fill('form.rollout-act input[name="note"]', 'k-bad gets a new SD card');
  await Promise.all([lead.page.waitForNavigation(),
    lead.page.click('form.rollout-act button[value="resume"]')]);
  check(lead.page.url() === `${expect.base}/fleet`, `after resume: ${lead.page.url()}`);
  let section = await lead.page.$eval('section.rollout', (s) => s.innerText);
  check(section.includes('Update 1.5.0: the whole fleet'), `resumed: ${section}`);
  check(/k-bad gets a new SD card — \d{4}-\d\d-\d\d \d\d:\d\d.* by liv/.test(section),
    `resumed, the note, when and by whom: ${section}`);
  const file = path.join(expect.outdir, 'browser-rollout-resumed.png');
  await screenshot(lead.page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
  await lead.context.close();

  const { context, page } = await fleetPage(browser, 'en-GB', 1280, 900, expect.admin, 'ada');
  check(JSON.stringify(await buttons(page)) === '["pause","stop"]',
    `resumed: ${JSON.stringify(await buttons(page))}`);
  await Promise.all([page.waitForNavigation(), page.click('form.rollout-act button[value="stop"]')]);
  section = await page.$eval('section.rollout', (s) => s.innerText);
  check(section.includes('Update 1.5.0: stopped'), `stopped: ${section}`);
  check(!(await page.$('form.rollout-act:not(.rollout-start)')), 'a stopped rollout still offers actions');
  const versions = await page.$$eval('form.rollout-start select[name="version"] option', (o) => o.map((x) => x.value));
  check(JSON.stringify(versions) === '["1.6.0"]', `startable: ${JSON.stringify(versions)}`);
  const stopped = path.join(expect.outdir, 'browser-rollout-stopped.png');
  await screenshot(page, { path: stopped, fullPage: false });
  console.log(`screenshot ${stopped}`);
  await page.fill('form.rollout-start input[name="canary"]', 'k-late');
  await Promise.all([page.waitForNavigation(), page.click('form.rollout-start button[value="start"]')]);
  section = await page.$eval('section.rollout', (s) => s.innerText);
  check(section.includes('Update 1.6.0: canary kiosks') && section.includes('0 of 1 kiosks in this stage run it'),
    `started: ${section}`);
  check(JSON.stringify(await buttons(page)) === '["promote","pause","stop"]',
    `started: ${JSON.stringify(await buttons(page))}`);
  check(!(await page.$('form.rollout-start')), 'a rollout under way, yet the start form shows');
  await context.close();
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  await english(browser);
  await finnish(browser);
  await phone(browser);
  await actions(browser);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`test_rollout_browser: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('test_rollout_browser: the paused rollout, its progress and each kiosk report, in en and fi; resume and stop');
