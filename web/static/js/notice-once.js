// A notice after an action ("Your changes were saved.", "The invite link has been closed.")
// comes in the query of the address the action redirected to. Left there, reloading the page,
// or opening it again from the history or a bookmark, would tell of the action again as if it
// had just been done again. So once the page shows its notices, their parameters (each
// notice names them in data-query-notice) leave the address; the text stays on screen.
import { addressWithout } from "./notice-address.js";

const names = [...document.querySelectorAll("[data-query-notice]")]
  .flatMap((notice) => notice.dataset.queryNotice.split(" "))
  .filter(Boolean);
if (names.length) {
  history.replaceState(history.state, "", addressWithout(location.href, names));
  // The language links were drawn with the address as it came (…?next=/events/7?notice=…):
  // a switch would load the page again with the notice, telling of the action once more.
  for (const link of document.querySelectorAll(".language-switch a[href^='/lang/']")) {
    const target = new URL(link.href);
    target.searchParams.set("next", location.pathname + location.search);
    link.href = target.href;
  }
}
