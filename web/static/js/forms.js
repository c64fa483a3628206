// Every form page: when the server sent the form back with errors, move the focus (and the
// view) to the summary of what to correct, so nobody is left looking at an unchanged page;
// when it refused the form altogether (too many wrong PINs or codes: no form, a notice in
// its place), to that notice.
const errorSummary = document.getElementById("error-summary");
(errorSummary ?? document.querySelector("[data-focus-on-load]"))?.focus();

// A link of the summary goes to its field with the field's label (a choice's: its group's
// legend) in view. The browser's own jump to the #id puts the field at the very top of the
// window, its label above it, out of sight: an empty box without a name.
errorSummary?.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#']");
  const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!field || !field.matches("input, select, textarea")) return;  // a section: its heading leads
  const group = field.matches("[type=radio], [type=checkbox]") ? field.closest("fieldset") : null;
  const label = group ? group.querySelector("legend") : field.labels?.[0];
  // (A label only read out, or one that comes after its field, does not lead.)
  const leads = label && label.getBoundingClientRect().width > 1
    && label.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING;
  event.preventDefault();
  history.pushState(null, "", link.hash);
  (leads ? label : field).scrollIntoView({ block: "start" });
  field.focus({ preventScroll: true });
});

// The language links go through /lang/{code}?next=…, which the server answers with a
// redirect; the browser keeps the fragment across it, so a reader of /help#camera stays at
// the camera section. (On the event-day pages texts.js switches without any reload.)
for (const link of document.querySelectorAll(".language-switch a[href^='/lang/']")) {
  link.addEventListener("click", (event) => {
    link.hash = location.hash;
    // Only a plain click loads this tab again (not one that opens another tab or window).
    if (event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey) keepForms();
  });
}

// A form filled in half way survives a language switch: the switch loads the page again, in
// the other language, which drew the form empty (an employer's new event, a candidate's
// registration). What was typed is kept in this tab's sessionStorage for the moment of the
// switch and put back into the same form of the page that comes, then forgotten. Never what
// is secret (passwords, PINs and codes) nor the hidden fields but the edit form's version
// (data-keep): the page that comes carries the event as it is now, and the typed values put
// back over it must be saved as made from the version they were typed on, so that a save
// after someone else's is refused as a conflict rather than undoing it. Not on the event-day
// pages, which switch language in place (texts.js) and hold notes that must not linger.
const KEPT = "snabbintervjuer:kept-forms";
const KEPT_FOR_MS = 60 * 1000;
const SECRET = /password|one-time-code/;
const CHOICES = ["checkbox", "radio"];

function keptFields(form) {
  return [...form.elements].filter((field) => field.name && !field.disabled
    && (field.type !== "hidden" || field.hasAttribute("data-keep"))
    && !["password", "file", "submit", "button", "reset"].includes(field.type)
    && !SECRET.test(field.autocomplete || "")
    && !field.closest("[data-not-kept]"));
}

function changed(field) {
  if (CHOICES.includes(field.type)) return field.checked !== field.defaultChecked;
  if (field.tagName === "SELECT") return [...field.options].some((option) => option.selected !== option.defaultSelected);
  return field.type !== "hidden" && field.value !== field.defaultValue;
}

// What is kept of a form: every field as it stands (what the user saw chosen stays chosen,
// such as a new event's language), every row of a list (questions, interviewers) included,
// since rows added, emptied or removed move the others; but a choice made for the reader's
// language (data-follows-language: the candidate's language for mails) follows the new
// page's unless the user changed it.
function keptOf(form) {
  const fields = keptFields(form);
  if (!fields.some(changed)) return null;
  const count = new Map();
  for (const field of fields) if (!CHOICES.includes(field.type)) count.set(field.name, (count.get(field.name) || 0) + 1);
  const lists = [...count].filter(([, n]) => n > 1).map(([name]) => name);
  return {
    lists,
    fields: fields
      .filter((field) => changed(field) || !field.closest("[data-follows-language]"))
      .map((field) => [field.name, CHOICES.includes(field.type)
        ? { value: field.value, checked: field.checked } : { value: field.value }]),
  };
}

function keepForms() {
  if ("livePage" in document.body.dataset) return;
  const forms = [...document.forms].map((form, index) => {
    const kept = keptOf(form);
    return kept && { index, action: form.getAttribute("action") || "", ...kept };
  }).filter(Boolean);
  try {
    if (forms.length) sessionStorage.setItem(KEPT, JSON.stringify({ path: location.pathname, at: Date.now(), forms }));
  } catch { /* storage full or off: the switch goes on, the form is drawn empty as before */ }
}

function named(form, name) {
  return [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
}

function putBack(form, fields, lists) {
  // A list the page made longer (another question, another interviewer) gets its rows back.
  const wanted = new Map();
  for (const [name, kept] of fields) if (!("checked" in kept)) wanted.set(name, (wanted.get(name) || 0) + 1);
  for (const [name, count] of wanted) {
    const have = named(form, name);
    const add = have[0]?.closest("[data-item-list]")?.querySelector("[data-add-item]");
    if (!add) continue;
    for (let rows = have.length; rows < count; rows += 1) {
      if (add.disabled) break;  // the list is full
      add.click();
    }
  }
  const seen = new Map();
  for (const [name, kept] of fields) {
    let field;
    if ("checked" in kept) {
      field = named(form, name).find((candidate) => candidate.value === kept.value);
      if (field) field.checked = kept.checked;
    } else {
      const n = seen.get(name) || 0;
      seen.set(name, n + 1);
      field = named(form, name).filter((candidate) => !CHOICES.includes(candidate.type))[n];
      if (field) field.value = kept.value;
    }
    // What reads the fields (the event form's count of interviews it can hold) reads them again.
    field?.dispatchEvent(new Event("input", { bubbles: true }));
    field?.dispatchEvent(new Event("change", { bubbles: true }));
  }
  // Rows the user had removed stay removed: the page's rows beyond those kept are emptied
  // (an empty row is no question, no interviewer).
  for (const name of lists) {
    for (const extra of named(form, name).slice(seen.get(name) || 0)) {
      extra.value = "";
      extra.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
}

function putBackKeptForms() {
  let kept;
  try {
    kept = JSON.parse(sessionStorage.getItem(KEPT) || "null");
    sessionStorage.removeItem(KEPT);
  } catch { return; }
  if (!kept || kept.path !== location.pathname || Date.now() - kept.at > KEPT_FOR_MS) return;
  const focused = document.activeElement;
  for (const { index, action, fields, lists } of kept.forms) {
    const form = document.forms[index];
    if (form && (form.getAttribute("action") || "") === action) putBack(form, fields, lists || []);
  }
  // Adding rows moved the focus: the page starts where it would have.
  if (document.activeElement !== focused) {
    if (focused && focused !== document.body) focused.focus();
    else document.activeElement?.blur();
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", putBackKeptForms);
else putBackKeptForms();

// A form is sent once: a double click on Publish sent it twice, and made two events. The first
// submit marks the form as sending and drops any further one until the page is shown anew.
// The buttons say so with aria-disabled, not `disabled`: a disabled submitter is left out of
// the data sent (HTML, "constructing the entry list" skips disabled controls), which would
// lose Publish's action=publish, and a disabled button would drop the keyboard focus. Forms
// whose own script sends them (the event-day pages) prevent the default first and are left be.
const SUBMITS = "button:not([type]), button[type='submit'], input[type='submit']";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.target) return;
  if (form.hasAttribute("data-sending")) {
    event.preventDefault();
    return;
  }
  form.setAttribute("data-sending", "");
  for (const button of form.querySelectorAll(SUBMITS)) button.setAttribute("aria-disabled", "true");
});

// Back to this page from the next one, the back/forward cache shows it as it was left:
// sending. It is a fresh chance to send (HTML, the "pageshow" event's `persisted`).
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-sending]")) {
    form.removeAttribute("data-sending");
    for (const button of form.querySelectorAll(SUBMITS)) button.removeAttribute("aria-disabled");
  }
});
