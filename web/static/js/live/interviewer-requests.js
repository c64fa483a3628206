// The actions of the interviewers' meeting web as protocol messages (app/live/PROTOCOL.md):
// each kind goes once while its reply is awaited, and a refusal is put into words in the
// page's alert (#problem), which stays until the situation it told of changes. A pressed
// control shows that its reply is awaited (pending-press.js).
import { errorText } from "./error-texts.js";

// Which own interview, in which phase: a refusal is about the phase it was given in.
const phaseOf = (own) => (own ? `${own.id}:${own.state}` : "none");

export class Requests {
  // `pending`: the page's PendingPresses, the sign of a press waiting for its reply (none:
  // the action alone).
  constructor(channel, alert, pending = { watch: (control, action) => action() }) {
    this.channel = channel;
    this.alert = alert;
    this.pending = pending;
    this.problem = null;  // the text of the alert, as a function (a language switch)
    this.refusedType = null;  // the type of the message whose refusal the alert says
    this.own = null;  // the own interview in the last state
    this.underway = new Set();  // the kinds of action whose request has no reply yet
  }

  setProblem(text, type = null) {
    this.problem = text;
    this.refusedType = text ? type : null;
    this.redraw();
    if (text) this.bringIntoView();
  }

  // The alert is at the top of the page; a press far down it (Pick in the list of everyone
  // registered) would otherwise be refused out of sight, its row simply changing.
  bringIntoView() {
    const box = this.alert.getBoundingClientRect?.();
    if (box && (box.top < 0 || box.bottom > window.innerHeight)) this.alert.scrollIntoView({ block: "nearest" });
  }

  // The controls of these types of message went (the event is over): a refusal of one of
  // them, "try again" or "not now", no longer holds.
  forgetRefusalsOf(types) {
    if (this.problem && types.has(this.refusedType)) this.setProblem(null);
  }

  redraw() {
    this.alert.textContent = this.problem ? this.problem() : "";
  }

  // One action of a kind at a time: a double click, a second Enter or a shortcut pressed
  // again before the reply came would send it twice (a message shown twice to everyone
  // waiting, the time extended twice, a second Next refused as busy). `control`: the one
  // pressed, which says so while the reply is slow to come.
  async once(kind, action, control = null) {
    if (this.underway.has(kind)) return;
    this.underway.add(kind);
    try {
      await this.pending.watch(control, action);
    } finally {
      this.underway.delete(kind);
    }
  }

  // Sends one message; returns the reply, or null after putting a refusal into words. A
  // refusal that comes after a state showed the own interview in another phase (End pressed
  // as the time ran out) is about what is gone: that state and the status line tell what is.
  // So too one that `saidElsewhere(code)` finds told already (on the status line, by name).
  async send(message, { saidElsewhere = () => false } = {}) {
    const phase = phaseOf(this.own);
    let reply;
    try {
      reply = await this.channel.send(message);
    } catch {
      this.setProblem(() => errorText("closed", "staff"), message.type);
      return null;
    }
    if (reply.type === "error") {
      if (phaseOf(this.own) === phase && !saidElsewhere(reply.code)) {
        this.setProblem(() => errorText(reply.code, "staff"), message.type);
      }
      return null;
    }
    this.setProblem(null);
    return reply;
  }

  // A state came. The alert stays until the situation it told of changes: the own interview
  // started, ended (by time, by the candidate) or its offer went.
  drawn(own) {
    if (phaseOf(this.own) !== phaseOf(own)) this.setProblem(null);
    this.own = own;
  }
}
