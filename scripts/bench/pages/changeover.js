// Injected into the pages of scripts/bench-changeover (Playwright's add_init_script), after
// measure.js: marks along a changeover, for "where the time goes". Times are
// performance.timeOrigin-based milliseconds since the epoch, as in measure.js.
//   window.__changeover.shown[name]     when the control `name` of SHOWN first became visible
//   window.__changeover.joinShown       a promise: the candidate page's Join button shows
//   window.__changeover.live[]          [time, type] of each message on the live socket
//   window.__changeover.janus[]         [time, what] of each message from Janus (what: the
//                                       janus type, the videoroom event, "jsep" if one came)
//   window.__changeover.sent[]          [time, what] of each message to Janus (its request)
//   window.__changeover.sockets[]       [made, open] of each WebSocket to Janus
//   window.__changeover.media[]         [asked, got] of each getUserMedia of the page
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const SHOWN = {
    join: "[data-join]",              // the candidate page's offer: Join
    candidateCall: "[data-phase=interview]",
    ownOffer: "#own-offer",           // the interviewer page's banner of its own offer
    interview: "#interview",          // the interviewer page's interview (the call shown)
  };
  let joinShown;
  const marks = (window.__changeover = {
    shown: {}, live: [], janus: [], sent: [], media: [], sockets: [],
    joinShown: new Promise((resolve) => { joinShown = resolve; }),
  });

  function look() {
    for (const [name, selector] of Object.entries(SHOWN)) {
      if (marks.shown[name]) continue;
      const element = document.querySelector(selector);
      if (element && element.checkVisibility()) {
        marks.shown[name] = now();
        if (name === "join") joinShown(marks.shown[name]);
      }
    }
  }
  // Called before the browser draws the change: the moment the page shows it.
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });

  function janusWhat(message) {
    const data = message.plugindata?.data || {};
    return [message.janus, data.videoroom, message.jsep ? "jsep" : null].filter(Boolean).join(" ");
  }

  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const entry = [now(), null];
    marks.media.push(entry);
    const stream = await getUserMedia(constraints);
    entry[1] = now();
    return stream;
  };

  const Inner = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const socket = new Inner(url, protocols);
    const janus = String(protocols).includes("janus-protocol");
    socket.addEventListener("message", (event) => {
      const at = now();
      try {
        const message = JSON.parse(event.data);
        if (janus) marks.janus.push([at, janusWhat(message)]);
        else marks.live.push([at, message.type]);
      } catch { /* not ours to judge */ }
    });
    if (janus) {
      const entry = [now(), null];
      marks.sockets.push(entry);
      socket.addEventListener("open", () => { entry[1] = now(); });
      const send = socket.send.bind(socket);
      socket.send = (data) => {
        try {
          const message = JSON.parse(data);
          const request = message.body?.request;
          marks.sent.push([now(), [message.janus, request, message.jsep ? "jsep" : null].filter(Boolean).join(" ")]);
        } catch { /* idem */ }
        return send(data);
      };
    }
    return socket;
  };
  window.WebSocket.prototype = Inner.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
