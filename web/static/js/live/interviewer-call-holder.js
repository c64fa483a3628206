// Which page of the interviewer holds the interview's call (app/live/call_holder.py): with
// the meeting web open twice (the mail link clicked again, a phone beside the laptop) only
// one page joins the room and publishes a camera and a microphone. The page that called the
// candidate in takes the call; another page asks, and holds it only when no page does (the
// server decides); "Take over here" takes it, and the page that held it is told
// (`call_taken`) and leaves the call.
//
// The page's id lives in the tab's sessionStorage, so a reload is the same page and keeps
// the call it held.
const PAGE_KEY = "snabb-call-page";

function newPageId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function pageId() {
  try {
    let id = sessionStorage.getItem(PAGE_KEY);
    if (!/^[0-9a-f]{32}$/.test(id || "")) {
      id = newPageId();
      sessionStorage.setItem(PAGE_KEY, id);
    }
    return id;
  } catch {
    return newPageId();  // storage off: a reload is another page, which asks like any other
  }
}

export class CallHolder extends EventTarget {
  constructor(channel) {
    super();
    this.channel = channel;
    this.page = pageId();
    this.known = new Map();  // interview id -> whether this page holds its call
    this.asked = 0;          // the asks sent, numbered
    this.taken = new Map();  // interview id -> the number of the last ask that took it
    channel.addEventListener("message", (event) => {
      const message = event.detail;
      if (message.type === "call_taken" && message.page !== this.page) this.lose(message.interview);
    });
  }

  // true or false, or undefined when not asked yet.
  held(interview) {
    return this.known.get(interview);
  }

  lose(interview) {
    this.known.set(interview, false);
    this.dispatchEvent(new CustomEvent("lost", { detail: interview }));
  }

  // Asks the server (with `take`: takes the call); the answer, or what was known before
  // when no answer came (the connection dropped: asked again when it is back).
  async ask(interview, take = false) {
    const number = ++this.asked;
    if (take) {
      this.known.set(interview, true);
      this.taken.set(interview, number);
    }
    let reply;
    try {
      reply = await this.channel.send({ type: "call", interview, page: this.page, take });
    } catch {
      return this.known.get(interview);
    }
    // A question asked before this page took the call is answered by the taking.
    const overtaken = !take && (this.taken.get(interview) ?? 0) > number;
    if (reply.type !== "call" || overtaken) return this.known.get(interview);
    if (this.known.get(interview) === true && !reply.held) this.lose(interview);
    else this.known.set(interview, reply.held);
    return reply.held;
  }
}
