// The message to everyone waiting, in the lobby of the interviewers' meeting web
// (#message-form): checked here first (the same bounds as the server's), sent once, and
// "sent" said on the lobby's status line. The lobby hides the form once the event is over,
// and keeps the messages sent (interviewer-lobby.js drawMessagePart).
import { _ } from "./texts.js";

const MAX_MESSAGE = 500;

const MESSAGE_SENT = () => _("Message sent to everyone waiting.");

export class MessageForm {
  // `request`: sends one protocol message, the reply or null (a refusal said already);
  // `status`: the lobby's status line (interviewer-status.js).
  constructor(root, { request, status }) {
    this.$ = (id) => root.querySelector(`#${id}`);
    this.request = request;
    this.status = status;
    this.error = null;  // the error shown under the field, as a function (a language switch)
  }

  showError(text) {
    this.error = text;
    const error = this.$("message-error");
    error.hidden = !text;
    error.textContent = text ? text() : "";
    const field = this.$("message-text");
    if (text) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", "hint-message-text message-error");
    } else {
      field.removeAttribute("aria-invalid");
      field.setAttribute("aria-describedby", "hint-message-text");
    }
  }

  async send() {
    const field = this.$("message-text");
    const text = field.value.trim();
    if (!text || text.length > MAX_MESSAGE) {
      this.showError(text ? () => _("The message can be at most %(count)s characters.", { count: MAX_MESSAGE })
        : () => _("Write a message first."));
      // "Sent" was of the message before: beside this error it read as if this one went.
      if (this.status.shows(MESSAGE_SENT)) this.status.set(null);
      field.focus();
      return;
    }
    this.showError(null);
    if (await this.request({ type: "message", text })) {
      field.value = "";
      this.status.set(MESSAGE_SENT);
    }
  }

  // The event is over, and the message's form gone: "sent" on the status line spoke of it.
  eventEnded() {
    if (this.status.shows(MESSAGE_SENT)) this.status.set(null);
  }

  redraw() {
    if (this.error) this.showError(this.error);
  }
}
