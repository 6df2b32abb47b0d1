// shot.mjs: a screenshot that outlasts headless Chromium's passing refusals, for every browser
// test here.  On a loaded machine (CI runs the virtual kiosk and a test suite beside the
// ASan one) Chromium now and then answers a full-page capture with "Unable to capture
// screenshot", and an element shot fails as "not attached" when live.js swaps the page's main
// for a fresher one mid-shot.  Both are tried again, up to five times, 500 ms apart; any other
// error, or the fifth refusal, stands.
const PASSING = [/Unable to capture screenshot/, /not attached/];
const TRIES = 5;

// target: a Page or a Locator (never an element handle, which live.js's swap leaves detached
// for good: a Locator finds the section anew at each try); options as its screenshot() takes
// them (path required)
export async function screenshot(target, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await target.screenshot(options);
    } catch (err) {
      const message = String(err && err.message);
      if (attempt >= TRIES || !PASSING.some((re) => re.test(message))) throw err;
      console.log(`screenshot ${options.path}: ${message.split('\n')[0]}; try ${attempt + 1} of ${TRIES}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
