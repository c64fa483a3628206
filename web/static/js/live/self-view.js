// The waiting room's own picture (candidates/_self_view.html): the candidate checks how they
// look before their turn. The camera (no microphone) starts only on their click and stops
// when they close it or when their turn comes (candidate.js calls stop()), so the call can
// have it. Nothing leaves the browser.
import { _, onLanguageChange } from "./texts.js";
import { PROBLEMS, browserSupported, problemName } from "./device-check.js";

export class SelfView {
  constructor(root) {
    const find = (name) => root.querySelector(`[data-self-view-${name}]`);
    this.el = {
      picture: find("picture"), video: find("video"), start: find("start"), stop: find("stop"),
      problem: find("problem"), problemText: find("problem-text"), problemLink: find("problem-link"),
    };
    this.stream = null;
    this.problem = null;
    this.starting = null; // the getUserMedia under way: a stop() meanwhile wins over it
    this.el.start.addEventListener("click", () => this.start());
    this.el.stop.addEventListener("click", () => {
      this.stop();
      this.el.start.focus();
    });
    onLanguageChange(() => this.drawProblem());
  }

  async start() {
    this.showProblem(null);
    if (!browserSupported()) {
      this.showProblem("unsupported");
      return;
    }
    const attempt = navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    this.starting = attempt;
    let stream;
    try {
      stream = await attempt;
    } catch (error) {
      const problem = await problemName(error, { video: true, audio: false });
      if (this.starting === attempt) this.showProblem(problem);
      return;
    }
    if (this.starting !== attempt) { // closed (or the turn came) while the camera started
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    this.starting = null;
    this.stream = stream;
    this.el.video.srcObject = stream;
    this.el.video.play().catch(() => {});
    this.draw(true);
    // The picture asked for is brought into view below the sticky place (on a phone the
    // focus alone left it under it), with Close the picture focused below it.
    this.el.stop.focus({ preventScroll: true });
    this.el.picture.scrollIntoView({ block: "nearest" });
    this.el.stop.scrollIntoView({ block: "nearest" });
  }

  stop() {
    this.starting = null;
    this.stream?.getTracks().forEach((track) => track.stop());
    this.stream = null;
    this.el.video.srcObject = null;
    this.draw(false);
  }

  draw(showing) {
    this.el.picture.hidden = !showing;
    this.el.stop.hidden = !showing;
    this.el.start.hidden = showing;
  }

  showProblem(name) {
    this.problem = name;
    this.el.problem.hidden = !name;
    if (name) this.el.problemLink.href = `/help#${PROBLEMS[name][1]}`;
    this.drawProblem();
    // Shown above the button pressed: on a phone the sticky place in the queue may cover it.
    if (name) this.el.problem.scrollIntoView({ block: "nearest" });
  }

  drawProblem() {
    this.el.problemText.textContent = this.problem ? _(PROBLEMS[this.problem][0]) : "";
  }
}
