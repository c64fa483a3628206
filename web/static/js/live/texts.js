// Texts in the page's language, and switching language without reloading the page (so a call
// stays up). The catalog comes from GET /texts/{code}.json (app/views/texts.py): msgid → text.
//
//   _("Your turn!")                       the current language's text (English is the msgid)
//   _("%(count)s left", {count: 3})       placeholders filled from params
//   ngettext("%(count)s min", "%(count)s mins", n, {count: n})
//                                         the form for n (the catalog's, else English's)
//   N_("…")                               marks a text for the catalog, returns it as is
//   language()                            "sv" or "en"
//   onLanguageChange(callback)            called with the new code after a switch; returns an
//                                         unsubscribe function
//   startTexts()                          starts loading the catalog (returns a promise, not to be
//                                         awaited before handlers are attached) and, on
//                                         <body data-live-page>, takes over the language links
//   await setLanguage(code)               what a click on a language link does
//   translatePage(root = document)        re-applies the texts below (done by setLanguage)
//
// What the switch updates in the HTML (write the English msgid, the server renders the text):
//   data-i18n="English msgid"                 textContent
//   data-i18n-params='{"name": "value"}'      placeholders for data-i18n
//   data-i18n-params-sv / -en                 the same, per language (a date in the sentence)
//   data-i18n-plural="English plural msgid"   with data-i18n holding the singular: ngettext,
//   data-i18n-count="name"                    the form chosen by that param's number
//   data-i18n-attr="aria-label:msgid;title:msgid"   attributes
//   data-i18n-slot="name" on a child of a data-i18n element: kept as the %(name)s placeholder
//                                             (a link inside a sentence)
//   data-text-sv / data-text-en                textContent, both given by the server (dates)
//   <body data-i18n-title="msgid">             document.title is "<text> – Snabbintervjuer"
//   <body … data-i18n-title-suffix=": x">      … or "<text>: x – Snabbintervjuer" (x kept as is)
//
// In JS write _("…") with a plain double-quoted literal, so babel's extractor finds it (not
// inside a template literal); a text kept in a table for later is written N_("…").

const PLACEHOLDER = /%\((\w+)\)s/g;
const catalogs = new Map(); // code -> Promise<{msgid: text}>
const callbacks = new Set();
let current = document.documentElement.lang || "en";
// The texts the scripts draw, in the page's language, written into the page by the server
// (app/script_texts.py): in place from the first moment, the whole catalog coming after.
let catalog = embeddedTexts();

function embeddedTexts() {
  const element = document.getElementById?.("page-texts");
  try {
    return element ? JSON.parse(element.textContent) : {};
  } catch {
    return {};
  }
}

// A whole number as the page's language writes it: "5 000" in Swedish, "5,000" in English
// (a place in a queue of thousands, a count of registrations).
export function numberText(value) {
  return new Intl.NumberFormat(current === "sv" ? "sv-SE" : "en-GB").format(value);
}

function fill(text, params) {
  if (!params) return text;
  return text.replace(PLACEHOLDER, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return Number.isInteger(value) ? numberText(value) : String(value);
  });
}

export function _(msgid, params) {
  return fill(catalog[msgid] || msgid, params);
}

// A text with a count. Both catalogs (Swedish, English) have the same two forms, one for 1
// and one for every other number (Plural-Forms: plural=(n != 1)); the catalog holds the
// form with index i as "singular\u0000i" (app/views/texts.py).
export function ngettext(singular, plural, count, params) {
  const index = count === 1 ? 0 : 1;
  return fill(catalog[`${singular}\u0000${index}`] || (index === 0 ? singular : plural), params);
}

// Marks a text for the catalog where it is defined; translate it with _() where it is shown.
export function N_(msgid) {
  return msgid;
}

export function language() {
  return current;
}

// A time of day (an ISO string) in Swedish time, as every time on the event's pages, written
// the way the page's language writes it.
export function clockTime(iso) {
  return new Intl.DateTimeFormat(current === "sv" ? "sv-SE" : "en-GB", {
    hour: "2-digit", minute: "2-digit", timeZone: "Europe/Stockholm",
  }).format(new Date(iso));
}

// The same with the zone named, where someone abroad would otherwise take it for their own
// time: when the interviews begin or the event ends, said to a candidate.
export function clockTimeInSweden(iso) {
  return _("%(time)s Swedish time", { time: clockTime(iso) });
}

export function onLanguageChange(callback) {
  callbacks.add(callback);
  return () => callbacks.delete(callback);
}

function loadCatalog(code) {
  if (!catalogs.has(code)) {
    const loading = fetch(`/texts/${code}.json`, { credentials: "same-origin" }).then((reply) => {
      if (!reply.ok) throw new Error(`no texts for ${code}: ${reply.status}`);
      return reply.json();
    });
    loading.catch(() => catalogs.delete(code)); // try again next time
    catalogs.set(code, loading);
  }
  return catalogs.get(code);
}

function fillSlots(element, text) {
  // The sentence around kept child elements (e.g. a link): text nodes are rebuilt, the
  // elements marked data-i18n-slot stay the same nodes.
  const slots = new Map();
  for (const child of element.querySelectorAll(":scope > [data-i18n-slot]")) {
    slots.set(child.dataset.i18nSlot, child);
  }
  const parts = text.split(PLACEHOLDER); // odd indexes are placeholder names
  const nodes = parts.map((part, index) => {
    if (index % 2 === 0) return document.createTextNode(part);
    return slots.get(part) || document.createTextNode(`%(${part})s`);
  });
  element.replaceChildren(...nodes);
}

export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    let params;
    try {
      const given = element.getAttribute(`data-i18n-params-${current}`) || element.dataset.i18nParams;
      params = given ? JSON.parse(given) : undefined;
    } catch {
      params = undefined;
    }
    const { i18n, i18nPlural, i18nCount } = element.dataset;
    const text = i18nPlural === undefined ? _(i18n, params) : ngettext(i18n, i18nPlural, params?.[i18nCount], params);
    if (element.querySelector(":scope > [data-i18n-slot]")) {
      fillSlots(element, text);
    } else {
      element.textContent = text;
    }
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of element.dataset.i18nAttr.split(";")) {
      const split = pair.indexOf(":");
      if (split > 0) element.setAttribute(pair.slice(0, split).trim(), _(pair.slice(split + 1).trim()));
    }
  }
  const key = `text${current[0].toUpperCase()}${current.slice(1)}`;
  for (const element of root.querySelectorAll(`[data-text-${current}]`)) {
    element.textContent = element.dataset[key];
  }
  if (root === document && document.body.dataset.i18nTitle) {
    // data-i18n-title-suffix: what follows the translated part unchanged (": event title").
    const suffix = document.body.dataset.i18nTitleSuffix || "";
    document.title = `${_(document.body.dataset.i18nTitle)}${suffix} – Snabbintervjuer`;
  }
}

function redrawSwitch() {
  // The layout's switch: the current language as plain text, the others as links.
  const next = encodeURIComponent(location.pathname + location.search);
  const hadFocus = !!document.activeElement?.closest?.(".language-switch");
  for (const item of document.querySelectorAll(".language-switch li")) {
    const old = item.querySelector("[lang]");
    if (!old) continue;
    const code = old.getAttribute("lang");
    const replacement = document.createElement(code === current ? "span" : "a");
    replacement.setAttribute("lang", code);
    replacement.textContent = old.textContent;
    if (code === current) {
      replacement.className = "current";
      replacement.setAttribute("aria-current", "true");
    } else {
      replacement.href = `/lang/${code}?next=${next}`;
      replacement.hreflang = code;
    }
    old.replaceWith(replacement);
  }
  // Keep keyboard users in the switch: focus the link back to the language just left.
  if (hadFocus) document.querySelector(".language-switch a[lang]")?.focus();
}

export async function setLanguage(code) {
  const texts = await loadCatalog(code);
  current = code;
  catalog = texts;
  // The same cookie the /lang/{code} link sets (not HttpOnly), so later pages agree.
  const secure = location.protocol === "https:" ? "; secure" : "";
  document.cookie = `lang=${code}; path=/; max-age=${365 * 24 * 3600}; samesite=lax${secure}`;
  document.documentElement.lang = code;
  translatePage();
  redrawSwitch();
  notify(code);
}

function notify(code) {
  for (const callback of [...callbacks]) {
    try {
      callback(code);
    } catch (error) {
      console.error(error);
    }
  }
}

// The page's language: its catalog starts loading now, and this returns at once (a promise
// that settles when the texts are in). The page's own script attaches its handlers without
// waiting (startPage in page-start.js): texts it draws before the catalog has come are the
// page's own (#page-texts), or where a page has none, the msgids (English); all are drawn
// again when it comes, through the same callbacks as a language switch.
export function startTexts() {
  current = document.documentElement.lang || "en";
  if ("livePage" in document.body.dataset) document.addEventListener("click", switchOnClick);
  const code = current;
  return loadCatalog(code).then((texts) => {
    if (current !== code) return; // switched to another language meanwhile
    catalog = texts;
    translatePage();
    notify(code);
  }, (error) => {
    console.error(error); // the msgids (English) still show
  });
}

function switchOnClick(event) {
  const link = event.target.closest?.(".language-switch a[lang]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
      || event.shiftKey || event.altKey) return;
  event.preventDefault();
  setLanguage(link.getAttribute("lang")).catch(() => {
    location.href = link.href; // the catalog did not come: the ordinary way, with a reload
  });
}
