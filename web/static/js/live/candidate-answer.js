// The candidate's answer to the interest question, said back in the thanks
// (candidates/_live.html): what was saved, as they gave it, so they see it went as they meant,
// and the form filled in with it to change it (the server replaces an answer sent again for
// the same interview: app/live/outcome.py save_feedback). Known from the page's load (a
// reload) or from this page's own answer once the server has taken it.
import { N_, _ } from "./texts.js";

const SAID_YES = N_("Yes, the job sounded interesting.");
const SAID_NO = N_("No, the job did not sound interesting.");

export class SavedAnswer {
  constructor(root) {
    this.box = root.querySelector("[data-answer-saved]");
    this.interested = root.querySelector("[data-answer-interested]");
    this.commentTerm = root.querySelector("[data-answer-comment-term]");
    this.comment = root.querySelector("[data-answer-comment]");
    let answer = null;
    try {
      answer = JSON.parse(root.dataset.answer || "null");
    } catch { /* none said back: the thanks as before */ }
    this.answer = answer && typeof answer.interested === "boolean" ? answer : null;
    this.draw();
  }

  get known() {
    return this.answer !== null;
  }

  set(interested, comment) {
    this.answer = { interested, comment };
    this.draw();
  }

  draw() {
    const answer = this.answer;
    this.box.hidden = !answer;
    const said = answer?.interested ? SAID_YES : SAID_NO;
    this.interested.textContent = answer ? _(said) : "";
    const comment = answer?.comment ?? "";
    this.comment.textContent = comment;
    this.comment.hidden = !comment;
    this.commentTerm.hidden = !comment;
  }

  // The question's form, as the saved answer has it.
  fill(form) {
    if (!this.answer) return;
    for (const radio of form.querySelectorAll("input[name=interested]")) {
      radio.checked = radio.value === (this.answer.interested ? "yes" : "no");
    }
    form.comment.value = this.answer.comment;
  }
}
