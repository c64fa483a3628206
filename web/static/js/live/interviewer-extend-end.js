// Extend and End beside the interviewer's call (#interview): End asks once more in place;
// Extend goes once it can no longer be used (the event over, or extended as far as it may
// be), with a line that says why.
import { _ } from "./texts.js";

export class ExtendAndEnd {
  // `requests`: the page's actions (interviewer-requests.js); `record`: the notes, saved
  // before the interview closes; `lobby`: whether the event is over.
  constructor(root, { channel, requests, record, lobby }) {
    this.$ = (id) => root.querySelector(`#${id}`);
    this.channel = channel;
    this.requests = requests;
    this.record = record;
    this.lobby = lobby;
    this.extendGone = false;  // Extend is not offered: the event is over, or the limit reached
    this.endPressed = false;  // End was pressed here, and the interview has not ended yet
    const $ = this.$;
    $("extend").addEventListener("click", () => requests.once("extend", () => this.extend(), $("extend")));
    // End asks once more, in place of Extend and End (ask); No or Escape goes back to End.
    $("end").addEventListener("click", () => this.ask(true));
    $("end-no").addEventListener("click", () => {
      this.ask(false);
      $("end").focus();
    });
    $("interview").addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("end-no").hidden) $("end-no").click();
    });
    $("end-yes").addEventListener("click", () => requests.once("end", () => this.end(), $("end-yes")));
  }

  async end() {
    this.endPressed = true;
    await this.record.flush();  // what was typed last is saved before the interview closes
    const ended = await this.requests.send({ type: "end" });
    if (!ended) this.endPressed = false;
    this.ask(false);
    if (!ended) this.$("end").focus();
  }

  // The interview ended (here or not): whether this page's End did it, and no longer asked.
  takeEnded() {
    this.ask(false); // (ended by the time or the candidate while it was asked)
    const pressed = this.endPressed;
    this.endPressed = false;
    return pressed;
  }

  // End asks once more. The focus goes to the question, not to an answer, so a held Enter on
  // End does not answer it too (Tab reaches Yes; Alt+Shift+E twice, which ignores a held
  // key, is the quick way); Yes sits on the row below where End was, so a double click on
  // End does not land on it.
  ask(asking) {
    const $ = this.$;
    $("end").hidden = asking;
    $("extend").hidden = asking || this.extendGone;
    for (const id of ["end-question", "end-yes", "end-no"]) $(id).hidden = !asking;
    if (asking) $("end-question").focus();
  }

  // The event's end (by its clock, or its organizer's End now) during an interview: the call
  // goes on to its own end and no further (the server refuses Extend: `event_over`). The
  // lobby, which says the event is over, is hidden meanwhile, so the interview says it. So
  // too an interview extended as far as it may be (`live.extend_limit_minutes`): Extend goes
  // then, instead of being refused when pressed once more.
  drawExtendGone(own = this.channel.lastState?.interview) {
    const $ = this.$;
    const over = this.lobby.over;
    const atLimit = own?.state === "active" && own.extended_minutes >= Number($("extend").dataset.limit);
    const text = over
      ? _("The event is over: no one else is called in. This interview goes on to its end and can no longer be extended.")
      : atLimit ? _("This interview has been extended as far as it can be.") : "";
    // Written only when it changes: the line is a live region, read out on every write.
    if ($("interview-event-over").textContent !== text) $("interview-event-over").textContent = text;
    // A keyboard user on Extend goes on from End, not from the top of the page.
    if ((over || atLimit) && document.activeElement === $("extend")) $("end").focus();
    this.extendGone = over || atLimit;
    $("extend").hidden = this.extendGone || !$("end-question").hidden;
  }

  async extend() {
    // Pressed as the event was being ended, it waited for the end and was refused: when the
    // state that says the event is over came first, the line beside End says it already,
    // and the same news again in the alert would stay there after it.
    const done = await this.requests.send(
      { type: "extend" },
      { saidElsewhere: (code) => code === "event_over" && this.lobby.over },
    );
    // Back to the button only if the focus was lost meanwhile: someone who has moved on with
    // the keyboard (to the questions, the notes) must not be pulled back when the reply comes.
    if (done && (document.activeElement === null || document.activeElement === document.body)) {
      this.$("extend").focus();
    }
  }
}
