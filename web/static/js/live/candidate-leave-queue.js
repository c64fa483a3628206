// Leaving the queue from the candidate's waiting room, or from the offer itself (one button
// and one question, moved between them): it loses the place, so it is asked once more, in
// place of its button, the focus on the answer that keeps it.
export class LeaveQueue {
  // leave(control): sends the `leave` (the page's request, its refusal said as the page says
  // them); `control`, Leave the queue, shows that its reply is awaited.
  constructor(root, leave) {
    this.root = root;
    this.ask = root.querySelector("[data-leave-ask]");
    this.button = root.querySelector("[data-leave-queue]");
    this.stay = root.querySelector("[data-leave-queue-no]");
    this.home = { parent: this.ask.parentElement, next: this.ask.nextSibling };
    this.button.addEventListener("click", () => this.asking(true));
    this.stay.addEventListener("click", () => {
      this.asking(false);
      this.button.focus();
    });
    root.querySelector("[data-leave-queue-yes]").addEventListener("click", async () => {
      this.asking(false);
      await leave(this.button);
    });
    this.ask.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.stay.hidden) this.stay.click();
    });
  }

  asking(asking) {
    this.button.hidden = asking;
    for (const name of ["question", "yes", "no"]) {
      this.root.querySelector(`[data-leave-queue-${name}]`).hidden = !asking;
    }
    if (asking) this.stay.focus();
  }

  // Called in, someone who cannot take the call now can leave the queue from the offer itself,
  // not only let its time run out (a miss: sent to the end, and out after a second): under
  // Join for the offer, and back in the waiting room after.
  place(phase) {
    if (phase === "offer") this.root.querySelector('[data-phase="offer"]').append(this.ask);
    else if (this.ask.parentElement !== this.home.parent) this.home.parent.insertBefore(this.ask, this.home.next);
  }
}
