// Every form page: when the server sent the form back with errors, move the focus (and the
// view) to the summary of what to correct, so nobody is left looking at an unchanged page.
document.getElementById("error-summary")?.focus();

// The language links go through /lang/{code}?next=…, which the server answers with a
// redirect; the browser keeps the fragment across it, so a reader of /help#camera stays at
// the camera section. (On the event-day pages texts.js switches without any reload.)
for (const link of document.querySelectorAll(".language-switch a[href^='/lang/']")) {
  link.addEventListener("click", () => {
    link.hash = location.hash;
    keepForms();
  });
}

// A form filled in half way survives a language switch: the switch loads the page again, in
// the other language, which drew the form empty (an employer's new event, a candidate's
// registration). What was typed is kept in this tab's sessionStorage for the moment of the
// switch and put back into the same form of the page that comes, then forgotten. Never what
// is secret (passwords, PINs and codes) nor the hidden fields (the new page has its own).
const KEPT = "snabbintervjuer:kept-forms";
const KEPT_FOR_MS = 60 * 1000;
const SECRET = /password|one-time-code/;

function keptFields(form) {
  return [...form.elements].filter((field) => field.name && !field.disabled
    && !["hidden", "password", "file", "submit", "button", "reset"].includes(field.type)
    && !SECRET.test(field.autocomplete || "")
    && !field.closest("[data-not-kept]"));
}

function changed(field) {
  if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
  if (field.tagName === "SELECT") return [...field.options].some((option) => option.selected !== option.defaultSelected);
  return field.value !== field.defaultValue;
}

function keepForms() {
  const forms = [...document.forms].map((form, index) => {
    const fields = keptFields(form);
    if (!fields.some(changed)) return null;
    return {
      index,
      action: form.getAttribute("action") || "",
      fields: fields.map((field) => [field.name, field.type === "checkbox" || field.type === "radio"
        ? { value: field.value, checked: field.checked } : { value: field.value }]),
    };
  }).filter(Boolean);
  try {
    if (forms.length) sessionStorage.setItem(KEPT, JSON.stringify({ path: location.pathname, at: Date.now(), forms }));
  } catch { /* storage full or off: the switch goes on, the form is drawn empty as before */ }
}

function putBack(form, fields) {
  // A list the page made longer (another question, another interviewer) gets its rows back.
  const wanted = new Map();
  for (const [name, kept] of fields) if (!("checked" in kept)) wanted.set(name, (wanted.get(name) || 0) + 1);
  for (const [name, count] of wanted) {
    const have = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    const add = have[0]?.closest("[data-item-list]")?.querySelector("[data-add-item]");
    if (!add) continue;
    for (let rows = have.length; rows < count; rows += 1) {
      if (add.disabled) break;  // the list is full
      add.click();
    }
  }
  const seen = new Map();
  for (const [name, kept] of fields) {
    const all = [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
    let field;
    if ("checked" in kept) {
      field = all.find((candidate) => candidate.value === kept.value);
      if (field) field.checked = kept.checked;
    } else {
      const n = seen.get(name) || 0;
      seen.set(name, n + 1);
      field = all.filter((candidate) => !["checkbox", "radio"].includes(candidate.type))[n];
      if (field) field.value = kept.value;
    }
    // What reads the fields (the event form's count of interviews it can hold) reads them again.
    field?.dispatchEvent(new Event("input", { bubbles: true }));
    field?.dispatchEvent(new Event("change", { bubbles: true }));
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
  for (const { index, action, fields } of kept.forms) {
    const form = document.forms[index];
    if (form && (form.getAttribute("action") || "") === action) putBack(form, fields);
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
