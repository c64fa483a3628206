// "Copy" buttons: copy a read-only field's text, show "Copied." on the button for a moment,
// and say it to screen readers through the page's live region. The buttons come disabled
// (data-needs-script) until their handlers are attached (live/page-start.js).
import { controlsReady } from "./live/page-start.js";

const status = document.querySelector("[data-copy-status]");
const SHOW_FOR_MS = 2500;

document.querySelectorAll("[data-copy]").forEach((button) => {
  // Its words as they are, the screen readers' part with them (a span shown only to them):
  // put back as text, that part showed on the button after a copy.
  const label = [...button.childNodes].map((node) => node.cloneNode(true));
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      // No clipboard permission (or an old browser): select the text for Ctrl-C instead.
      field.select();
      return;
    }
    const done = status?.dataset.text || "✓";
    button.textContent = `✓ ${done}`;
    if (status) {
      status.textContent = "";  // emptied first, so a second copy is announced again
      setTimeout(() => { status.textContent = done; }, 50);
    }
    setTimeout(() => { button.replaceChildren(...label.map((node) => node.cloneNode(true))); }, SHOW_FOR_MS);
  });
});
controlsReady();
