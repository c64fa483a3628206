// The interest question after the interview, and the thanks after it (candidates/_live.html):
// the answer sent, and sent again by itself while the service cannot take it; said back in
// the thanks (candidate-answer.js), with the form again, as saved, to change it.
import { N_, _ } from "./texts.js";
import { TRY_AGAIN_CODES, serviceBackoff } from "./backoff.js";
import { SavedAnswer } from "./candidate-answer.js";

// The answer, when the service could not take it: tried again (serviceBackoff's waits), for
// as long as the page asks the question.
const RETRYING = N_("Your answer could not be saved just now. It is sent again by itself: please keep this page open until it says thank you.");
const CHOOSE = N_("Choose Yes or No.");
// Longer than the field takes (its maxlength, which a browser enforces as it is typed; not a
// script or an old browser): said at the field, not the server's general refusal.
const TOO_LONG = N_("The comment is too long: at most 2,000 characters. Shorten it and send again.");

// The question's own error codes in the page's error slot, in the page's language.
export function questionErrorText(code) {
  if (code === "choose") return _(CHOOSE);
  if (code === "too_long") return _(TOO_LONG);
  if (code === "retrying") return _(RETRYING);
  return null;
}

export class InterestQuestion {
  // page: the CandidatePage, for its socket (request), its phase and its error slot.
  constructor(root, page) {
    this.page = page;
    this.form = root.querySelector("[data-feedback-form]");
    this.errorElement = root.querySelector("[data-feedback-error]");
    this.commentError = root.querySelector("[data-feedback-comment-error]");
    this.changeButton = root.querySelector("[data-change-answer]");
    this.keepButton = root.querySelector("[data-keep-answer]");
    this.answer = new SavedAnswer(root);
    this.changing = false; // the saved answer's form shown again, to change it
    this.sending = false;
    for (const radio of this.radios()) {
      radio.addEventListener("change", () => {
        this.markChoice(false);
        // "Choose Yes or No." is answered by the choice: it does not stay to confuse.
        if (page.error?.[1] === "choose") page.showError(page.error[0], null);
      });
    }
    this.form.comment.addEventListener("input", () => {
      if (page.error?.[1] !== "too_long") return;
      this.form.comment.removeAttribute("aria-invalid");
      page.showError(this.commentError, null);
    });
    this.form.addEventListener("submit", (event) => this.send(event));
    this.changeButton.addEventListener("click", () => this.change(true));
    this.keepButton.addEventListener("click", () => {
      this.change(false);
      // Nothing changed: back on the control they came from, not at the top of the thanks.
      this.changeButton.focus();
    });
  }

  radios() {
    return this.form.querySelectorAll("input[name=interested]");
  }

  async send(event) {
    event.preventDefault();
    const page = this.page;
    const choice = this.form.querySelector("input[name=interested]:checked");
    if (!choice) {
      page.error = [this.errorElement, "choose"];
      this.errorElement.textContent = _(CHOOSE);
      this.markChoice(true);
      this.radios()[0].focus();
      return;
    }
    // In characters as the service counts them (code points), not UTF-16 units.
    const comment = this.form.comment;
    if ([...comment.value.trim()].length > Number(comment.getAttribute("maxlength"))) {
      page.error = [this.commentError, "too_long"];
      this.commentError.textContent = _(TOO_LONG);
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
      return;
    }
    const button = this.form.querySelector("button[type=submit]");
    button.disabled = true;
    const message = {
      type: "feedback", interested: choice.value === "yes", comment: this.form.comment.value.trim(),
    };
    // The service unable to take it now (its database away): sent again by itself, so an
    // answer given during an outage is not lost when the page is closed after it.
    const waits = serviceBackoff();
    this.sending = true;
    let taken = false;
    try {
      for (;;) {
        const reply = await page.request(message, this.errorElement, button);
        if (reply) {
          // Taken: the thanks says it back as given.
          taken = true;
          this.answer.set(message.interested, message.comment);
          this.change(false);
          break;
        }
        const code = page.error?.[0] === this.errorElement ? page.error[1] : null;
        if (!TRY_AGAIN_CODES.has(code) || page.phase !== "feedback") break;
        page.error = [this.errorElement, "retrying"];
        this.errorElement.textContent = _(RETRYING);
        await new Promise((resolve) => { setTimeout(resolve, waits.next()); });
        if (page.phase !== "feedback") break;
      }
    } finally {
      this.sending = false;
      button.disabled = false;
    }
    // Saved, but its reply lost with the socket (the state after the reconnect thanks): the
    // page loaded again says back the answer as the service has it.
    if (!taken && page.phase === "thanks") page.reload();
  }

  // The saved answer's form again (Change my answer), or back to the thanks (Keep my answer,
  // or once the changed answer is saved).
  change(changing) {
    if (changing === this.changing) return;
    this.changing = changing;
    if (changing) this.answer.fill(this.form);
    this.keepButton.hidden = !changing;
    this.markChoice(false);
    if (this.page.error?.[0] === this.errorElement) this.page.showError(this.errorElement, null);
    if (this.page.state) this.page.draw(this.page.state);
  }

  markChoice(invalid) {
    for (const radio of this.radios()) {
      if (invalid) radio.setAttribute("aria-invalid", "true");
      else radio.removeAttribute("aria-invalid");
    }
  }

  // In another language.
  redraw() {
    this.answer.draw();
  }
}
