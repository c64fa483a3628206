// Browsers play sounds only after a click on the page (e.g. not after a reload): until then
// the waiting room offers a button (Allow the sound for your turn), so the beep of "your
// turn" is heard. Any first click on the page allows it as well.
import { audio, beep } from "./device-check.js";

export class SoundOffer {
  constructor(root) {
    this.blocked = root.querySelector("[data-sound-blocked]");
    this.waiting = false;
    document.addEventListener("click", () => this.allow(false), { once: true });
    root.querySelector("[data-sound-allow]").addEventListener("click", () => this.allow(true));
  }

  allow(test) {
    audio();
    if (test) beep();
    this.draw(this.waiting);
  }

  // Offered only in the waiting room, and only while the browser holds the sound back.
  draw(waiting) {
    this.waiting = waiting;
    const ctx = waiting ? audio() : null;
    this.blocked.hidden = !ctx || ctx.state === "running";
    if (ctx && ctx.state !== "running") ctx.resume().then(() => this.draw(this.waiting), () => {});
  }
}
