// Keyboard shortcuts of the meeting web (interviewer/meeting.html): Alt+Shift and a letter for
// the interviewer's frequent actions. Each one presses the button it names, so it does what a
// click does and nothing more; when that button is not on the screen now, it only says so.
// The buttons get aria-keyshortcuts (screen readers announce it with the button) and the
// lists on the page ([data-shortcut-list]) are drawn from the same table. Nothing fires while
// the focus is in a text field: Alt+Shift+letter types characters there on some keyboards.
// A shortcut whose action is gone for good (Next once the event is over) is left out of the
// lists: they offer only what can still be done.
//
//   const shortcuts = installShortcuts(document.querySelector("#meeting"));
//   shortcuts.offer("N", false);   // not listed any more (true: listed again)
import { N_, _, onLanguageChange } from "./texts.js";

const SHORTCUTS = [
  { key: "N", target: "#next", action: N_("Next candidate") },
  // (End asks once more: the same keys again answer yes. The list says so.)
  { key: "E", target: "#end, #end-yes", action: N_("End interview"), note: N_("press twice: it asks once more") },
  { key: "M", target: "[data-call-mic]", action: N_("Microphone on or off"),
    said: (button) => (button.classList.contains("off") ? N_("Microphone off") : N_("Microphone on")) },
  { key: "V", target: "[data-call-camera]", action: N_("Camera on or off"),
    said: (button) => (button.classList.contains("off") ? N_("Camera off") : N_("Camera on")) },
];
const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

function typingIn(element) {
  if (!(element instanceof Element)) return false;
  if (element.isContentEditable || element.matches("textarea, select")) return true;
  return element instanceof HTMLInputElement && !NOT_TYPING.has(element.type);
}

// The letter pressed: event.key where it is one (any keyboard layout), else the key's place
// (on a Mac, Option+Shift+N gives "˜").
function letterOf(event) {
  if (/^[a-z]$/i.test(event.key)) return event.key.toUpperCase();
  const place = /^Key([A-Z])$/.exec(event.code);
  return place ? place[1] : null;
}

function shown(element) {
  return !!element && !element.disabled && element.getClientRects().length > 0;
}

export function installShortcuts(root) {
  const status = root.querySelector("[data-shortcut-status]");
  const say = (words) => {
    // Emptied first, so the same words twice are announced twice.
    status.textContent = "";
    setTimeout(() => { status.textContent = words(); }, 50);
  };

  for (const { key, target } of SHORTCUTS) {
    for (const button of root.querySelectorAll(target)) button.setAttribute("aria-keyshortcuts", `Alt+Shift+${key}`);
  }

  const withdrawn = new Set();  // the keys not listed now (offer)
  const drawLists = () => {
    const listed = SHORTCUTS.filter(({ key }) => !withdrawn.has(key));
    for (const list of root.querySelectorAll("[data-shortcut-list]")) {
      list.replaceChildren(...listed.flatMap(({ key, action, note }) => {
        const keys = document.createElement("dt");
        ["Alt", "Shift", key].forEach((name, index) => {
          if (index) keys.append(" + ");
          const kbd = document.createElement("kbd");
          kbd.textContent = name;
          keys.append(kbd);
        });
        const what = document.createElement("dd");
        what.textContent = note ? `${_(action)} (${_(note)})` : _(action);
        return [keys, what];
      }));
    }
  };
  drawLists();
  onLanguageChange(() => {
    drawLists();
    // What a shortcut said is old news by now (it may be from an earlier interview): a live
    // region written again is read out again, so it is emptied, not translated.
    status.textContent = "";
  });

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey || event.repeat) return;
    if (event.defaultPrevented || typingIn(event.target)) return;
    const letter = letterOf(event);
    const shortcut = SHORTCUTS.find(({ key }) => key === letter);
    if (!shortcut) return;
    event.preventDefault();
    // The one of its buttons on the screen now (End, or its confirmation).
    const button = [...root.querySelectorAll(shortcut.target)].find(shown);
    if (!shown(button)) {
      // Why, in the words of the screen: its button is not there (Next during an interview).
      say(() => _("The shortcut for “%(action)s” does nothing now: that button is not shown.", { action: _(shortcut.action) }));
      return;
    }
    button.click();
    if (shortcut.said) {
      const msgid = shortcut.said(button);
      say(() => _(msgid));
    }
  });

  return {
    offer(key, offered) {
      if (withdrawn.has(key) !== offered) return;
      if (offered) withdrawn.delete(key);
      else withdrawn.add(key);
      drawLists();
    },
  };
}
