// The candidate's way into the call (candidate.js draws the page, this joins): the offer's
// Janus server connected to before Join (`prepare`), the camera started as the press of Join
// begins, `accept` for the ticket, and the joins the page makes by itself (after a reload,
// into a room made again, for a fresh ticket). Which interview's ticket the call last joined
// with decides whether a state, a room_changed or a second click may start another join: a
// new ticket revokes the previous one's Janus token, and the call would leave and join again.
import { audio, browserSupported } from "./device-check.js";

const PRESS_MS = 3000; // a press of Join that has not clicked by then will not

export class CallJoin {
  // page: the CandidatePage, for its socket (channel, request), its state and phase, and the
  // offer it showed last; call: its CallView; rejoin: the box with Join again.
  constructor(page, call, rejoin) {
    this.page = page;
    this.call = call;
    this.rejoin = rejoin;
    this.joining = false;
    this.callFor = null; // the interview whose ticket the call last joined with
    this.preparing = null; // the offered interview whose join is prepared (or being)
  }

  // The offer's Join button.
  wire(join) {
    // Once per offer: a second click while the offer still shows (its state comes a moment
    // after the ticket) would ask for a new ticket, which revokes the first one's Janus token
    // and makes the call leave and join again.
    join.addEventListener("click", () => {
      if (this.callFor === null || this.callFor !== this.page.state?.offer?.interview) this.accept({ control: join });
    });
    // The camera starts as the press begins: the click comes only as the button is let go, a
    // tenth of a second or so later, and a camera takes up to a second to start (docs/calls.md,
    // "Joining fast"). Enter clicks at once; Space clicks as it is let go.
    join.addEventListener("pointerdown", (event) => { if (event.button === 0) this.pressBegins(); });
    join.addEventListener("keydown", (event) => { if (event.key === " ") this.pressBegins(); });
  }

  // While the offer shows, the page connects to the interview's Janus server (a session and
  // a handle, not the room: PROTOCOL.md, `prepare`), so that Join has only the room's join
  // left (docs/calls.md, "Joining fast"). Quietly nothing where it cannot be had: the join
  // then goes the whole way.
  async prepare(interview) {
    if (this.preparing === interview || !browserSupported()) return;
    this.preparing = interview;
    let reply;
    try {
      reply = await this.page.channel.send({ type: "prepare" });
    } catch {
      if (this.preparing === interview) this.preparing = null; // the socket went: the next state tries again
      return;
    }
    if (reply.type !== "prepared" || reply.interview !== interview || this.preparing !== interview) return;
    if (this.page.phase !== "offer" || this.joining) return; // gone, or Join was quicker
    this.call.prepare(reply.janus);
  }

  unprepare() {
    if (this.preparing === null) return;
    this.preparing = null;
    this.call.unprepare();
  }

  // The press of Join has begun: the camera starts now (nothing of it leaves the browser
  // before the click's accept), and stops again if no click follows within PRESS_MS (let go
  // beside the button, a touch that became a scroll).
  pressBegins() {
    if (this.joining || this.call.joined) return;
    this.call.askMedia();
    clearTimeout(this.pressTimer);
    this.pressTimer = setTimeout(() => {
      if (!this.joining && !this.call.joined) this.call.dropMedia();
    }, PRESS_MS);
  }

  // press: Join (or Join again, Continue here) was pressed, which takes the call from
  // another window of this browser (call-hold.js); else the page joins by itself. `control`:
  // the button pressed, which shows that the reply is awaited.
  async accept({ press = true, control = null } = {}) {
    if (this.joining) return;
    this.joining = true;
    // Sent first (the server's answer is the longer wait); the camera starts while the
    // server lets them in (a real one takes up to a second), still within the click.
    const answered = this.page.request({ type: "accept" }, undefined, control);
    audio();
    this.call.askMedia();
    try {
      const reply = await answered;
      if (reply && reply.type === "ticket") {
        this.call.keepFocusFrom(this.rejoin);
        this.rejoin.hidden = true;
        this.callFor = reply.interview;
        await this.call.join(reply.ticket, { info: reply.join, press });
      } else {
        this.call.dropMedia();
        this.call.forgetKeptFocus(); // (Continue here refused: no join follows)
        if (this.page.phase === "interview") this.rejoin.hidden = false;
      }
    } finally {
      this.joining = false;
    }
  }

  // After a reload, or in a second window: joins again, unless another window of this
  // browser is in the call (asked first: an accept would hand that window's call a new ticket).
  async byItself() {
    // This page showed the offer and Join was not pressed here: it was pressed on another
    // page of theirs (another device), which is in the call.
    const interview = this.page.state?.interview?.id;
    const pressedElsewhere = interview !== undefined && this.page.offerShown === interview && this.callFor !== interview;
    if (pressedElsewhere || await this.call.heldElsewhere()) {
      if (this.page.phase === "interview" && !this.call.joined && !this.joining) this.call.showElsewhere();
      return;
    }
    if (this.page.phase === "interview" && !this.call.joined) this.accept({ press: false });
  }

  // The interview's room was lost and made again. The state that comes with room_changed
  // must not start a second join (accept) while this one has no call yet: its new ticket
  // would revoke this one's Janus token.
  async moved(ticket) {
    this.joining = true;
    try {
      this.rejoin.hidden = true;
      await this.call.join(ticket);
    } finally {
      this.joining = false;
    }
  }

  async freshTicket() {
    if (this.page.phase !== "interview") return null;
    const reply = await this.page.channel.send({ type: "accept" });
    return reply.type === "ticket" ? reply.ticket : null;
  }

  // Another page of theirs joined with a ticket that replaced this one's: this page leaves
  // the call and stays out until Continue here.
  takenElsewhere() {
    this.callFor = null;
    this.call.showElsewhere();
  }
}
