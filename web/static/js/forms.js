// Every form page: when the server sent the form back with errors, move the focus (and the
// view) to the summary of what to correct, so nobody is left looking at an unchanged page.
document.getElementById("error-summary")?.focus();

// The language links go through /lang/{code}?next=…, which the server answers with a
// redirect; the browser keeps the fragment across it, so a reader of /help#camera stays at
// the camera section. (On the event-day pages texts.js switches without any reload.)
for (const link of document.querySelectorAll(".language-switch a[href^='/lang/']")) {
  link.addEventListener("click", () => { link.hash = location.hash; });
}
