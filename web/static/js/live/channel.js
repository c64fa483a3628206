// The realtime channel (app/live/PROTOCOL.md) as seen from a page: one WebSocket that
// keeps itself open. Shared by the candidate's and the interviewer's pages; draws nothing.
//
//   const channel = new LiveChannel(pageSocketUrl());
//   channel.addEventListener("state", (e) => draw(e.detail));    // every state message
//   channel.addEventListener("message", (e) => ...);             // any other push (offer)
//   channel.addEventListener("status", (e) => ...);              // connecting | open | service_down | reconnecting
//   channel.addEventListener("refused", () => ...);              // the server no longer lets it in
//   channel.connect();
//   const reply = await channel.send({type: "next"});            // ok | error | ticket | ...
//
// Every client message gets exactly one reply, in order, so replies are matched to sends
// by a FIFO of pending promises. A reply of type "error" resolves (the caller reads its
// code); the promise rejects only when the socket closes (or is not open) before the reply.
// While the first connection is still opening, a send waits for it.
// After any close the channel reconnects by itself with back-off (1 s doubling to 10 s, each
// wait spread over half to one and a half times the step: reconnectDelay);
// the server sends a full state on every connect, so nothing needs replaying.
// A browser does not say why a handshake failed: after FAILED_OPENS_BEFORE_ASKING in a row the
// channel asks the socket's address without the upgrade (`accessUrl`), which answers 204 or
// the refusal (app/views/live_sockets.py). Refused (the registration ended, the session is
// gone, the link no longer exists): "refused", and no more attempts; the page loads itself
// again and says why. Anything else (no network, a restart): it keeps trying.
// "service_down": the socket is open but the service's database is away (the server says so
// with a `service` message, and again when it is back): nothing the page shows moves and its
// actions are refused until then; the page says so. Back, the status is "open" again.
import { Backoff } from "./backoff.js";

const FAILED_OPENS_BEFORE_ASKING = 2;
const REFUSALS = new Set([401, 403, 404, 410]);

const REPLY_TYPES = new Set(["ok", "error", "ticket", "prepared", "dispatched", "queue_empty", "pong", "saved", "record"]);

export class ChannelClosed extends Error {
  constructor() {
    super("The live connection closed before the reply came");
    this.name = "ChannelClosed";
  }
}

// ws:// or wss:// for the personal page's socket: the page's path + "/ws".
export function pageSocketUrl(path = location.pathname) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path.replace(/\/+$/, "")}/ws`;
}

// The same address over http(s): whether a socket would be let in (above).
export function accessUrlOf(socketUrl) {
  return socketUrl.replace(/^ws/, "http");
}

// The wait before the next attempt: the current back-off step spread evenly over half to
// one and a half times itself. When a server restarts, every page it held loses its socket
// at the same moment; spread like this, their first attempts arrive over a whole second
// rather than together (a wait clamped to the step would put half of them on the same
// millisecond), and the server admits them as they come (README, "Many sockets
// reconnecting at once").
export function reconnectDelay(stepMs, maxDelayMs, random = Math.random) {
  return Math.floor(Math.min(maxDelayMs * 1.5, stepMs * (0.5 + random())));
}

export class LiveChannel extends EventTarget {
  constructor(url, options = {}) {
    super();
    this.url = url;
    this.pingMs = options.pingMs ?? 15000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10000;
    // How much longer a pong may take behind another message (the server's statements stop
    // after 10 s, its Janus calls after 5 s).
    this.busyGraceMs = options.busyGraceMs ?? 30000;
    this.minDelayMs = options.minDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 10000;
    this.accessUrl = options.accessUrl ?? null;
    this.failedOpens = 0; // handshakes in a row that closed before they opened
    this.status = "idle";
    this.lastState = null;
    this.ws = null;
    this.pending = [];
    this.steps = new Backoff(this.minDelayMs, this.maxDelayMs);  // reconnectDelay's steps
    this.stopped = true;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.onOnline = () => {
      if (!this.stopped && !this.connected()) this.reconnectNow();
    };
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // The socket is open (the service behind it may be away: "service_down").
  connected() {
    return this.status === "open" || this.status === "service_down";
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.emit("status", status);
  }

  connect() {
    if (!this.stopped) return this;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.open("connecting");
    return this;
  }

  // Stop for good (page leaving): no reconnect afterwards.
  close() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.retryTimer);
    this.drop();
    this.setStatus("idle");
  }

  open(status) {
    this.setStatus(status);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      opened = true;
      this.failedOpens = 0;
      this.steps.reset();
      this.setStatus("open");
      this.startPinging();
    });
    ws.addEventListener("message", (event) => {
      if (ws === this.ws) this.receive(event.data);
    });
    ws.addEventListener("close", () => {
      if (ws !== this.ws) return;
      this.drop();
      if (!opened) this.failedOpens += 1;
      if (this.accessUrl && this.failedOpens >= FAILED_OPENS_BEFORE_ASKING) this.askAccess();
      this.scheduleReconnect();
    });
    // "error" is always followed by "close"; nothing to do here.
  }

  receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!message || typeof message.type !== "string") return;
    if (message.type === "state") {
      this.lastState = message;
      this.emit("state", message);
    } else if (message.type === "service") {
      if (this.connected()) this.setStatus(message.database === "unavailable" ? "service_down" : "open");
    } else if (REPLY_TYPES.has(message.type)) {
      const waiting = this.pending.shift();
      if (waiting) waiting.resolve(message);
    } else {
      this.emit("message", message);
    }
  }

  send(message) {
    if (this.status === "connecting") {
      // The page has just started and its first connection is still opening: a click that
      // comes now is sent once it is open (page-start.js), not refused.
      return this.firstOpen().then(() => this.send(message));
    }
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ChannelClosed());
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.ws.send(JSON.stringify(message));
    });
  }

  // Resolves when the first connection opens; rejects if it fails instead.
  firstOpen() {
    return new Promise((resolve, reject) => {
      const watch = () => {
        if (this.status === "connecting") return;
        this.removeEventListener("status", watch);
        if (this.status === "open") resolve();
        else reject(new ChannelClosed());
      };
      this.addEventListener("status", watch);
    });
  }

  startPinging() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.ping(), this.pingMs);
  }

  ping() {
    if (this.pongTimer !== null) return;  // still waiting for the last pong
    const ws = this.ws;
    // The server answers a page's messages in order: behind a message still being answered
    // (a Next waiting for a slow database) the pong comes late, and is given the time that
    // answer may take, so that the page does not drop the socket, and the Next its reply.
    const timeout = this.pongTimeoutMs + (this.pending.length ? this.busyGraceMs : 0);
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      if (ws === this.ws) this.reconnectNow();  // no pong: the connection is dead
    }, timeout);
    this.send({ type: "ping" }).then(() => this.stopWatchdog(), () => {});
  }

  stopWatchdog() {
    clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  // Forget the current socket: rejects what waits for a reply, stops the heartbeat.
  drop() {
    clearInterval(this.pingTimer);
    this.stopWatchdog();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) {
      try {
        ws.close();
      } catch { /* already closing */ }
    }
    const waiting = this.pending;
    this.pending = [];
    for (const { reject } of waiting) reject(new ChannelClosed());
  }

  // Whether the server still lets this page in (above); the attempts go on meanwhile.
  askAccess() {
    fetch(this.accessUrl, { credentials: "same-origin", cache: "no-store" }).then((reply) => {
      if (!REFUSALS.has(reply.status) || this.stopped) return;
      this.close();
      this.emit("refused", reply.status);
    }, () => { /* no answer: the network, not a refusal */ });
  }

  reconnectNow() {
    clearTimeout(this.retryTimer);
    this.drop();
    this.open("reconnecting");
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.setStatus("reconnecting");
    clearTimeout(this.retryTimer);
    const delay = reconnectDelay(this.steps.next(), this.maxDelayMs);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.open("reconnecting");
    }, delay);
  }
}
