// How every event-day page starts (candidate.js, interviewer.js, organizer.js), so that a
// control that is shown works, whatever arrives late on a slow connection. Every such page
// has one shape: its module holds constants only (its root element, a lookup helper, tables
// of texts); everything that changes lives in the fields of one page object, whose
// constructor makes the parts, attaches every handler and connects the live socket last:
//
//   const root = document.querySelector("#meeting");
//   class MeetingPage { constructor() { this.channel = new LiveChannel(…); …; this.channel.connect(); } }
//   window.meeting = startPage(() => new MeetingPage());   // window.*: for tests and debugging
//
// - The page's own controls are rendered disabled with data-needs-script (the HTML comes
//   before the scripts): until this runs they visibly are not ready, and a click on them is
//   not lost silently. They are enabled once `build` has attached the handlers.
// - `build` runs at once, without waiting for the text catalog: the texts the scripts draw
//   come with the page in its language (#page-texts, app/script_texts.py), and all are drawn
//   again when the whole catalog comes (onLanguageChange callbacks).
// - The live socket's first connection may still be opening when the first click comes:
//   LiveChannel.send waits for it (channel.js).
import { startTexts } from "./texts.js";

export function startPage(build) {
  startTexts();
  const page = build();
  controlsReady();
  return page;
}

// The page's handlers are attached: its data-needs-script controls work now. (Pages without
// texts to switch, e.g. the copy buttons, call this alone.)
export function controlsReady() {
  for (const control of document.querySelectorAll("[data-needs-script]")) {
    control.disabled = false;
    control.removeAttribute("data-needs-script");
  }
  document.body.dataset.pageStarted = "true";
}
