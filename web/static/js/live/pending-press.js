// A pressed control of the live pages whose message has no reply yet (every message is
// answered once: app/live/PROTOCOL.md). While the database hangs an answer may take seconds,
// and a button that looks as if nothing happened is pressed again or given up on. So after a
// moment the control says it is working (a line beside it, aria-busy), after a few seconds
// that the service is slow and the press will go through or be refused with a message
// (said once in the page's polite status region as well), and the sign goes as soon as the
// reply comes. A control that waits cannot be pressed again (aria-disabled, and the press
// is not sent).
import { N_, _, onLanguageChange } from "./texts.js";
import { timePress } from "./press-timing.js";

const WORKING = N_("Sending…");
const SLOW = N_("The service is slow to answer. This will either go through, or you will be told that it was not done.");

export class PendingPresses {
  // `announcer`: an existing polite live region (role=status) of the page.
  constructor(announcer) {
    this.announcer = announcer;
    this.pending = new Map();  // control -> its sign ({ note, text }), while it waits
    onLanguageChange(() => this.redraw());
  }

  // Runs work() with `control`'s sign (none without a control); resolves to its result, or
  // to undefined without running it when the control is already waiting.
  async watch(control, work) {
    if (!control) return work();
    if (this.pending.has(control)) return undefined;
    const sign = { note: null, text: null };
    this.pending.set(control, sign);
    const finish = timePress({
      onWorking: () => this.show(control, sign, WORKING),
      onSlow: () => {
        this.show(control, sign, SLOW);
        this.announcer.textContent = _(SLOW);
      },
      onDone: () => this.clear(control, sign),
    });
    try {
      return await work();
    } finally {
      this.pending.delete(control);
      finish();
    }
  }

  show(control, sign, text) {
    if (!sign.note) {
      sign.note = document.createElement("span");
      sign.note.className = "press-pending";
      sign.note.dataset.pressPending = "";
      control.after(sign.note);
      control.setAttribute("aria-busy", "true");
      control.setAttribute("aria-disabled", "true");
    }
    sign.text = text;
    sign.note.textContent = _(text);
  }

  clear(control, sign) {
    control.removeAttribute("aria-busy");
    control.removeAttribute("aria-disabled");
    sign.note?.remove();
    if (sign.text === SLOW && this.announcer.textContent === _(SLOW)) this.announcer.textContent = "";
  }

  redraw() {
    for (const sign of this.pending.values()) {
      if (sign.note) sign.note.textContent = _(sign.text);
    }
  }
}
