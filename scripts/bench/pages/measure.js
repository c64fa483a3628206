// Injected into every page of scripts/bench-join before the page's own scripts (Playwright's
// add_init_script): the same measurement on the bare page, the minimal control-plane page and
// the real candidate page. Times are performance.timeOrigin-based milliseconds since the
// epoch, comparable between pages of one machine.
//   window.__bench.pressedAt      the last click on a button (the Join press)
//   window.__bench.firstFrameAt   the first decoded remote video frame (inbound-rtp
//                                 framesDecoded > 0 on any peer connection of the page)
//   window.__bench.connected      a peer connection of the page reached "connected"
//   window.__bench.janusAt        the page opened its WebSocket to Janus (after the press):
//                                 press -> here is what the control plane adds before media
(() => {
  const bench = (window.__bench = {
    pressedAt: null, firstFrameAt: null, janusAt: null, connected: false, pcs: [],
  });
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("button")) {
      bench.pressedAt = performance.timeOrigin + event.timeStamp;
      bench.firstFrameAt = null;
      bench.janusAt = null;
    }
  }, true);
  const OriginalSocket = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    if (String(protocols).includes("janus-protocol") && bench.janusAt === null) bench.janusAt = now();
    return new OriginalSocket(url, protocols);
  };
  window.WebSocket.prototype = OriginalSocket.prototype;
  Object.assign(window.WebSocket, {
    CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3,
  });
  const Original = window.RTCPeerConnection;
  function Watched(...args) {
    const pc = new Original(...args);
    bench.pcs.push(pc);
    pc.addEventListener("connectionstatechange", () => {
      if (pc.connectionState === "connected") bench.connected = true;
    });
    return pc;
  }
  Watched.prototype = Original.prototype;
  Object.setPrototypeOf(Watched, Original);
  window.RTCPeerConnection = Watched;
  async function poll() {
    if (bench.firstFrameAt === null) {
      for (const pc of bench.pcs) {
        if (pc.connectionState === "closed") continue;
        const stats = await pc.getStats();
        let decoded = false;
        stats.forEach((report) => {
          if (report.type === "inbound-rtp" && report.kind === "video" && report.framesDecoded > 0) decoded = true;
        });
        if (decoded && bench.firstFrameAt === null) {
          bench.firstFrameAt = now();
          break;
        }
      }
    }
    setTimeout(poll, 5);
  }
  poll();
})();
