// Browsers play sounds only after a click on the page (e.g. not after a reload): until then
// the waiting room offers a button (Allow the sound for your turn), so the beep of "your
// turn" is heard. Any first click on the page allows it as well. Allowed by the button, the
// page says so where the button was, and the focus goes there (not lost as the button goes).
import { audio, beep } from "./device-check.js";

export class SoundOffer {
  constructor(root) {
    this.blocked = root.querySelector("[data-sound-blocked]");
    this.on = root.querySelector("[data-sound-on]");
    this.waiting = false;
    this.confirm = false; // the button was pressed: say it is on once it is
    document.addEventListener("click", () => this.allow(false), { once: true });
    root.querySelector("[data-sound-allow]").addEventListener("click", () => this.allow(true));
  }

  allow(test) {
    audio();
    if (test) {
      beep();
      this.confirm = true;
    }
    this.draw(this.waiting);
  }

  // Offered only in the waiting room, and only while the browser holds the sound back.
  draw(waiting) {
    this.waiting = waiting;
    const ctx = waiting ? audio() : null;
    const focused = this.blocked.contains(document.activeElement);
    this.blocked.hidden = !ctx || ctx.state === "running";
    if (this.confirm && waiting && ctx?.state === "running") {
      this.confirm = false;
      this.on.hidden = false;
      if (focused) this.on.focus();
    }
    // (Held back again, an iPhone locked say: not "on" beside the button that allows it.)
    if (!waiting || ctx?.state !== "running") this.on.hidden = true;
    if (ctx && ctx.state !== "running") ctx.resume().then(() => this.draw(this.waiting), () => {});
  }
}
