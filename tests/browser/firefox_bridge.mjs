// Firefox for the Python browser tests (tests/browser/firefox.py): Debian's firefox-esr driven by
// puppeteer-core over WebDriver BiDi. Python writes one JSON command a line on stdin,
// {id, op, ...arguments}; this answers each with {id, result} or {id, error} on stdout, and
// reports what the pages show by themselves as {event, page, text} lines (console errors,
// page errors, Content-Security-Policy violations).
//
//   node firefox_bridge.mjs '{"modules": "…/web/node_modules", "executablePath": "/usr/bin/firefox-esr",
//                             "prefs": {...}}'
// puppeteer-core comes from web/package.json (npm, installed by scripts/bootstrap).
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";

const options = JSON.parse(process.argv[2] || "{}");
const puppeteer = createRequire(join(options.modules, "package.json"))("puppeteer-core");
const pages = new Map(); // id -> {page, context}
let nextPage = 1;

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

// The same listener the Chromium pages get (tests/browser/csp.py), reporting through a
// function the bridge exposes: it runs before the page's own scripts, outside its policy.
const LISTEN_FOR_CSP = () => {
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
      + ` at ${event.sourceFile || location.href}:${event.lineNumber}`);
  }, true);
};

// A function's source (as Playwright's evaluate takes it) or an expression, as a function
// puppeteer can send: it sends the source, so building it here runs nothing in Node.
const FUNCTION = /^\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)/;
function asFunction(source) {
  // eslint-disable-next-line no-new-func
  return FUNCTION.test(source) ? new Function(`return (${source});`)()
    : new Function(`return () => (${source});`)();
}

// Playwright's cookies name a URL; BiDi's name the domain and path.
function cookie({ url, ...rest }) {
  return url ? { domain: new URL(url).hostname, path: "/", ...rest } : rest;
}

const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: options.executablePath,
  headless: true,
  extraPrefsFirefox: options.prefs || {},
  protocolTimeout: 60000,
});

const ops = {
  async newPage({ viewport, cookies = [], initScripts = [], baseURL }) {
    const context = await browser.createBrowserContext();
    // A window of its own, not a tab: a tab behind another is hidden, and Firefox then
    // stops its animation frames and slows its timers, as it would for a person.
    const page = await context.newPage({ type: "window" });
    const id = nextPage++;
    pages.set(id, { page, context, baseURL });
    if (viewport) await page.setViewport(viewport);
    if (cookies.length) await context.setCookie(...cookies.map(cookie));
    await page.exposeFunction("__reportCspViolation", (text) => send({ event: "csp", page: id, text: `${page.url()}: ${text}` }));
    await page.evaluateOnNewDocument(LISTEN_FOR_CSP);
    for (const source of initScripts) await page.evaluateOnNewDocument(source);
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warn") {
        send({ event: "console", page: id, text: `${message.type()}: ${message.text()}` });
      }
    });
    page.on("pageerror", (error) => send({ event: "pageerror", page: id, text: String(error) }));
    return id;
  },
  async goto({ page, url }) {
    const response = await page.goto(url, { waitUntil: "load" });
    return response ? response.status() : null;
  },
  async evaluate({ page, expression, arg }) {
    return page.evaluate(asFunction(expression), arg ?? null);
  },
  // A script run as the page's own would be (axe-core): the policy forbids inline scripts,
  // and BiDi's evaluation is not the page's.
  async runScript({ page, source }) {
    await page.evaluate(source);
  },
  // Waits for the element to be shown, then clicks or types as a person would (BiDi input
  // actions: trusted events, with the user activation that sound and video need).
  async click({ page, selector, timeout }) {
    const element = await page.waitForSelector(selector, { visible: true, timeout });
    await element.click();
  },
  async fill({ page, selector, value, timeout }) {
    const element = await page.waitForSelector(selector, { visible: true, timeout });
    await element.evaluate((field) => { field.value = ""; });
    await element.type(value);
  },
  async waitForSelector({ page, selector, timeout }) {
    await page.waitForSelector(selector, { visible: true, timeout });
  },
  async screenshot({ page, path, fullPage }) {
    await page.screenshot({ path, fullPage: !!fullPage });
  },
  async addCookies({ context, cookies }) {
    await context.setCookie(...cookies.map(cookie));
  },
  async closePage({ id, context }) {
    pages.delete(id);
    await context.close();
  },
  async close() {
    await browser.close();
    setImmediate(() => process.exit(0));
  },
};

createInterface({ input: process.stdin }).on("line", async (line) => {
  const { id, op, page: pageId, ...args } = JSON.parse(line);
  try {
    const target = pageId === undefined ? {} : pages.get(pageId);
    if (!target) throw new Error(`no page ${pageId}`);
    const result = await ops[op]({ ...args, ...target, id: pageId });
    send({ id, result: result ?? null });
  } catch (error) {
    send({ id, error: String(error?.stack || error) });
  }
});
process.stdin.on("end", () => browser.close().finally(() => process.exit(0)));
send({ event: "ready", text: await browser.version() });
