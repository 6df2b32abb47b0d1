// test_comments_browser.mjs: comments as a browser shows them.  Run by
// run_comments_browser.py, which seeds the database and passes expect.json (argv[2]).
//
// The phone's form (/c/TOKEN) on a 360x740 phone with JavaScript off: the token's language
// (a German phone opens a Finnish token in Finnish), nothing wider than the screen, a tall
// enough field and button; typing and Send reach the thank-you without a script; the same
// link again says it was sent (409); an expired link says so in English.  Screenshots
// OUTDIR/comments-phone-*.png.
//
// The signed-in pages at 1280x900: the admin's department page lists the comments newest first
// with the hidden ones marked and personal data masked, the face filter narrows it; the head's
// has no hidden one; the report's section counts by tag; the alert's page names its three
// commonest complaints.  Screenshots OUTDIR/comments-{department-admin,department-head,report,
// alert}.png of the sections.  Exit 1 with every failure listed.
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

async function shot(page, name) {
  const file = path.join(expect.outdir, `comments-${name}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true,
  hasTouch: true, locale: 'de-DE' };

// Nothing on the page reaches past the screen's right edge (measured with the protocol's box
// model, which works with the page's scripts off).
async function fits(page, what) {
  for (const sel of ['h1', 'p.lead', 'textarea', 'button', 'main']) {
    const el = await page.$(sel);
    if (!el) continue;
    const box = await el.boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= 360.5,
      `${what}: ${sel} spans ${box && box.x}..${box && box.x + box.width} of 360`);
  }
}

async function phone(browser) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  let r = await page.goto(`${expect.base}/c/${expect.phone.fi}`);
  check(r.status() === 200, `phone form: ${r.status()}`);
  check((await page.getAttribute('html', 'lang')) === 'fi', 'the token\'s language, fi');
  check((await page.innerText('h1')) === 'Kerro lisää', `heading ${await page.innerText('h1')}`);
  await fits(page, 'form');
  const area = await (await page.$('textarea')).boundingBox();
  check(area.height >= 120, `the field is ${area.height} px tall`);
  const button = await (await page.$('button')).boundingBox();
  check(button.height >= 44, `the button is ${button.height} px tall (a thumb's 44)`);
  await page.fill('textarea', 'Jono oli pitkä, mutta henkilökunta oli ystävällistä. <b>kiitos</b>');
  await shot(page, 'phone-form-fi');
  await Promise.all([page.waitForNavigation(), page.click('button')]);
  check((await page.innerText('h1')) === 'Kiitos!', `after Send: ${await page.innerText('h1')}`);
  await fits(page, 'thanks');
  await shot(page, 'phone-sent-fi');
  r = await page.goto(`${expect.base}/c/${expect.phone.fi}`);
  check(r.status() === 409, `the same link again: ${r.status()}`);
  check((await page.innerText('p.failure')).includes('jo lähetetty'),
    `already sent: ${await page.innerText('main')}`);
  r = await page.goto(`${expect.base}/c/${expect.phone.expired}`);
  check(r.status() === 410 && (await page.innerText('p.failure')).includes('expired'),
    `expired: ${r.status()} ${await page.innerText('main')}`);
  await fits(page, 'expired');
  await shot(page, 'phone-expired-en');
  await context.close();
}

async function signedIn(browser, who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 },
    locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (err) => fail(`${who.user}: page error: ${err.message}`));
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', who.user);
  await page.fill('input[name="password"]', who.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  return { context, page };
}

// A Locator, not an element handle: live.js may swap the page's main for a fresher one, and a
// handle to the old section stays detached through every retry, where a Locator finds the new.
async function sectionShot(page, selector, name) {
  const section = page.locator(selector);
  const found = await section.count();
  if (!check(found === 1, `${name}: ${found} of ${selector}, expected 1`)) return;
  const file = path.join(expect.outdir, `comments-${name}.png`);
  await screenshot(section, { path: file });
  console.log(`screenshot ${file}`);
}

async function pages(browser) {
  const admin = await signedIn(browser, expect.admin);
  let page = admin.page;
  await page.goto(`${expect.base}/department/front`);
  const items = await page.$$eval('section.comments li.comment', (li) => li.map((l) => ({
    hidden: l.classList.contains('hidden'), words: l.querySelector('.words').innerText,
    face: l.dataset.face })));
  check(items.length === 20, `admin: ${items.length} comments on the first page`);
  check(items.filter((i) => i.hidden).length === 2, 'admin: two hidden ones, marked');
  check(items.some((i) => i.words.includes('***')) &&
    !items.some((i) => /4567|jane@/.test(i.words)), 'masked');
  check(items.some((i) => i.words.startsWith('<script>')), 'markup shown as text');
  await sectionShot(page, 'section.comments', 'department-admin');
  await page.selectOption('select[name="cface"]', '1');
  await Promise.all([page.waitForNavigation(), page.click('form.comment-filter button')]);
  const faces = await page.$$eval('section.comments li.comment', (li) => li.map((l) => l.dataset.face));
  check(faces.length > 0 && faces.every((f) => f === '1'), `face 1 only: ${faces}`);
  await page.goto(`${expect.base}/report/front`);
  await sectionShot(page, 'section[aria-labelledby="report-comments"]', 'report');
  await page.goto(`${expect.base}/alerts/1`);
  const whats = await page.$$eval('ol.complaints li', (li) => li.map((l) => l.innerText));
  check(whats.length === 3, `alert: ${JSON.stringify(whats)}`);
  await sectionShot(page, 'section.complaints', 'alert');
  await admin.context.close();
  const head = await signedIn(browser, expect.head);
  page = head.page;
  await page.goto(`${expect.base}/department/front`);
  const hidden = await page.$$('section.comments li.comment.hidden');
  check(hidden.length === 0, `head: ${hidden.length} hidden comments shown`);
  await sectionShot(page, 'section.comments', 'department-head');
  await head.context.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  await phone(browser);
  await pages(browser);
} catch (e) {
  fail(`exception: ${e.stack}`);
} finally {
  await browser.close();
}
console.log(failures.length ? `${failures.length} failure(s)` : 'every check passed');
process.exit(failures.length ? 1 : 0);
