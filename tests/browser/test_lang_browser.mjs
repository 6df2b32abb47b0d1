// test_lang_browser.mjs: the dashboard in its three languages, and no page text left out of
// the catalog.  Run by run_lang_browser.py, which seeds the database, starts the server with
// the pseudo-language qps beside fi and de, and passes expect.json (argv[2]).
//
// - A Finnish browser (Accept-Language fi-FI) gets every page in Finnish: <html lang="fi">,
//   "Yleiskuva", numbers as Finns write them ("4 523" with a no-break space, "72,4"), dates
//   "1.11.–30.11.2026".  The nav's "Deutsch" link turns the pages German and a cookie keeps
//   the choice over the browser's language ("4.523", "Übersicht").  An English browser reads
//   "Overview" and "4,523".
// - Every page a user reaches (overview, a department, the alerts, one alert, the fleet, the
//   catalog, the poster, the wall, the login page, an error page), in qps: every visible text
//   and every title, aria-label and data-label with the bracketed catalog texts and the seed's
//   own names taken out must hold no word: a word left is an untranslated string, reported
//   with its page.
// Screenshots OUTDIR/lang-*.png.  Exit 1 with every failure listed.
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

async function shot(page, name, width = 1280) {
  const file = path.join(expect.outdir, `lang-${name}-${width}.png`);
  await screenshot(page, { path: file, fullPage: true });
  console.log(`screenshot ${file}`);
}

async function loggedIn(browser, locale) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
  const page = await context.newPage();
  page.on('pageerror', (err) => fail(`${locale}: page error: ${err.message}`));
  await page.goto(`${expect.base}/login`);
  await page.fill('input[name="user"]', expect.admin.user);
  await page.fill('input[name="password"]', expect.admin.password);
  await Promise.all([page.waitForNavigation(), page.press('input[name="password"]', 'Enter')]);
  return { context, page };
}

const grouped = (n, sep) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
const orgResponses = (page) =>
  page.$eval('tr[data-bench="organisation"] td:nth-child(6)', (td) => td.textContent.trim());

async function finnishThenGerman(browser) {
  const { context, page } = await loggedIn(browser, 'fi-FI');
  await page.goto(`${expect.base}/overview`);
  check(await page.getAttribute('html', 'lang') === 'fi', `fi: <html lang> ${await page.getAttribute('html', 'lang')}`);
  check((await page.innerText('h1')) === 'Yleiskuva', `fi: heading ${await page.innerText('h1')}`);
  const fiN = await orgResponses(page);
  check(fiN === grouped(expect.org_n, '\u00a0'), `fi: organisation's responses "${fiN}", expected ${grouped(expect.org_n, '\u00a0')}`);
  const idx = await page.$eval('tr[data-bench="organisation"] td:nth-child(3)', (td) => td.firstChild.textContent);
  check(/^\d+,\d$/.test(idx), `fi: index "${idx}" lacks a decimal comma`);
  const period = await page.innerText('p.period');
  check(/\d{1,2}\.\d{1,2}\.\s?–\s?\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}\.–\d{1,2}\.\d{1,2}\.\d{4}/.test(period),
    `fi: the period line "${period}" has no Finnish dates`);
  await shot(page, 'fi-overview');
  await page.goto(`${expect.base}/department/${expect.department}`);
  check((await page.innerText('h2#trend')).startsWith('Indeksi'), `fi: department trend heading ${await page.innerText('h2#trend')}`);
  await shot(page, 'fi-department');
  // the visible choice: the nav's Deutsch link, kept by a cookie over Accept-Language
  await page.goto(`${expect.base}/overview?period=last_30_days`);
  await Promise.all([page.waitForNavigation(), page.click('ul.langs a[hreflang="de"]')]);
  check(new URL(page.url()).searchParams.get('period') === 'last_30_days', `de: the link lost the filter: ${page.url()}`);
  check((await page.innerText('h1')) === 'Übersicht', `de: heading ${await page.innerText('h1')}`);
  const deN = await orgResponses(page);
  check(deN === grouped(expect.org_n, '.'), `de: organisation's responses "${deN}"`);
  await page.goto(`${expect.base}/alerts`);
  check((await page.innerText('h1')) === 'Warnungen', `de: the cookie did not keep German on /alerts: ${await page.innerText('h1')}`);
  const current = await page.$eval('ul.langs a[aria-current]', (a) => a.getAttribute('hreflang'));
  check(current === 'de', `de: the nav marks ${current} as current`);
  await shot(page, 'de-alerts');
  await page.goto(`${expect.base}/overview`);
  await shot(page, 'de-overview');
  await context.close();

  const en = await loggedIn(browser, 'en-GB');
  await en.page.goto(`${expect.base}/overview`);
  check((await en.page.innerText('h1')) === 'Overview', `en: heading ${await en.page.innerText('h1')}`);
  const enN = await orgResponses(en.page);
  check(enN === grouped(expect.org_n, ','), `en: organisation's responses "${enN}"`);
  await en.context.close();
}

// Every text a user can see or hear on the page in the page's language: text nodes (SVG
// titles too, outside script and style) and the attributes shown as tooltips, labels or phone
// column names.  Left out: what the page itself marks as another language (lang="de" on the
// language links, lang="en" on a request error naming a field) or as data not to translate
// (translate="no": a version's note, a language code), code (ids, commands), and the
// language choice (each language's name in itself).
const pageTexts = (page) => page.evaluate(() => {
  const out = [];
  const pageLang = document.documentElement.lang;
  const foreign = (e) => {
    const tagged = e.closest('[lang]');
    return (tagged && tagged.lang !== pageLang) || e.closest('[translate="no"]') ||
      e.closest('code, script, style, textarea, ul.langs');
  };
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    if (n.parentElement && !foreign(n.parentElement) && n.textContent.trim()) out.push(n.textContent);
  for (const e of document.querySelectorAll('[title],[aria-label],[data-label],[placeholder],[alt]'))
    for (const a of ['title', 'aria-label', 'data-label', 'placeholder', 'alt'])
      if (e.getAttribute(a) && !foreign(e)) out.push(e.getAttribute(a));
  for (const o of document.querySelectorAll('input[type="submit"],button')) out.push(o.value || '');
  return out;
});

// What is left of a text once the catalog's texts (⟦…⟧, nested) and the seed's names are
// taken out: the words of it.
function leftover(text) {
  let t = text;
  for (let prev = null; prev !== t;) {
    prev = t;
    t = t.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  }
  for (const d of expect.data) t = t.split(d).join(' ');
  // what is no word of any language: units, the brand, ids and versions
  t = t.replace(/\b(wowdash|WOW|CSV|UTC|n|h|min|s|v\d+|[a-z]+_[a-z_]+|wdt_\S+|[A-Z][a-z]+\/[A-Za-z_]+)\b/g, ' ');
  return t.match(/[A-Za-zÀ-ÿ]{2,}/g) || [];
}

async function untranslated(browser) {
  const { context, page } = await loggedIn(browser, 'en-GB');
  await page.goto(`${expect.base}/overview?lang=qps`);
  const alertLink = await page.$eval('a[href^="/alerts/"]', (a) => a.getAttribute('href')).catch(() => null);
  check(alertLink, 'qps: no open alert to open');
  const pages = ['/overview', `/department/${expect.department}`, '/alerts?state=all', alertLink,
    '/fleet', '/catalog', `/poster/${expect.department}`, `/report/${expect.department}?period=this_quarter`,
    `/wall?key=${expect.wall_key}`,
    '/department/no-such-one', '/overview?period=custom&from=2026-01-05&to=2026-01-01'];
  // the last: a request error naming its field stays English, marked lang="en" (checked below)
  for (const p of pages) {
    if (!p) continue;
    await page.goto(`${expect.base}${p}`);
    const words = new Set();
    for (const t of await pageTexts(page)) for (const w of leftover(t)) words.add(w);
    check(words.size === 0, `qps ${p}: untranslated: ${JSON.stringify([...words].slice(0, 20))}`);
    if (p.startsWith('/wall')) await shot(page, 'qps-wall', 1280);
  }
  const marked = await page.$eval('p.failure', (e) => e.lang).catch(() => '');
  check(marked === 'en', `qps: the request error naming its field is not marked English: "${marked}"`);
  await shot(page, 'qps-error');
  await context.close();
  // the login page, before any session: its language from Accept-Language alone
  const anon = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'qps' });
  const login = await anon.newPage();
  await login.goto(`${expect.base}/login`);
  await login.fill('input[name="user"]', 'nobody');
  await login.fill('input[name="password"]', 'wrong-password');
  await Promise.all([login.waitForNavigation(), login.press('input[name="password"]', 'Enter')]);
  const words = new Set();
  for (const t of await pageTexts(login)) for (const w of leftover(t)) words.add(w);
  check(words.size === 0, `qps /login: untranslated: ${JSON.stringify([...words])}`);
  await shot(login, 'qps-login');
  await anon.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  await finnishThenGerman(browser);
  await untranslated(browser);
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(`lang: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('lang: ok');
