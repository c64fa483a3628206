// A candidate's page before check-in has no socket (it opens at check-in), so nothing tells it
// that the organizer moved or cancelled the event, or removed the registration, while it was
// open: a page left open from the day before would count down to the old time. It asks the
// server for the fingerprint of what it was drawn from (GET /c/{token}/version,
// app/views/candidate_page.py) every few minutes and whenever it shows again, and loads
// itself again once that differs. A failed request is simply asked again later.

// Often enough that a moved start is seen long before check-in opens; rare enough that ten
// thousand pages left open cost the service little. The jitter keeps them from asking at once.
const EVERY_MS = 120 * 1000;
const JITTER_MS = 30 * 1000;

// What to do with the server's answer: "reload" when the page no longer matches, else "keep".
// A 404 (the registration is gone) and a 403 (the PIN's session ended) reload too: the page
// its link leads to now says why.
export function verdict(status, body, drawn) {
  if (status === 404 || status === 403) return "reload";
  if (status !== 200 || !body || typeof body.version !== "string") return "keep";
  return body.version === drawn ? "keep" : "reload";
}

export class PageWatch {
  constructor(url, drawn, onChanged) {
    this.url = url;
    this.drawn = drawn;
    this.onChanged = onChanged;
    this.timer = null;
    this.stopped = false;
    // Shown again: the tab brought to the front, or the page back from the browser's cache
    // (not the pageshow of its own load, which it was just drawn from).
    this.lookWhenShown = (event) => {
      if (event?.type === "pageshow" && !event.persisted) return;
      if (document.visibilityState === "visible") this.look();
    };
  }

  start() {
    document.addEventListener("visibilitychange", this.lookWhenShown);
    window.addEventListener("pageshow", this.lookWhenShown);
    this.later();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    document.removeEventListener("visibilitychange", this.lookWhenShown);
    window.removeEventListener("pageshow", this.lookWhenShown);
  }

  later() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.look(), EVERY_MS + Math.random() * JITTER_MS);
  }

  async look() {
    if (this.stopped) return;
    let status = 0;
    let body = null;
    try {
      const reply = await fetch(this.url, { credentials: "same-origin", cache: "no-store" });
      status = reply.status;
      body = status === 200 ? await reply.json() : null;
    } catch {
      // Offline for now (status stays 0): asked again at the next look.
    }
    if (this.stopped) return;
    if (verdict(status, body, this.drawn) === "reload") {
      this.stop();
      this.onChanged();
    } else {
      this.later();
    }
  }
}
