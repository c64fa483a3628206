// Every form page: when the server sent the form back with errors, move the focus (and the
// view) to the summary of what to correct, so nobody is left looking at an unchanged page.
document.getElementById("error-summary")?.focus();

// The language links go through /lang/{code}?next=…, which the server answers with a
// redirect; the browser keeps the fragment across it, so a reader of /help#camera stays at
// the camera section. (On the event-day pages texts.js switches without any reload.)
for (const link of document.querySelectorAll(".language-switch a[href^='/lang/']")) {
  link.addEventListener("click", () => { link.hash = location.hash; });
}

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
