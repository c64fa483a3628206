// The peer connections this page makes, for their getStats figures (the connection quality,
// the bitrate control). janus.js keeps each handle's RTCPeerConnection to itself and has no
// public way to reach it; like any WebRTC code it makes them with the page's
// RTCPeerConnection, so the page hands it a subclass that tells whoever listens about each
// new one. Nothing inside janus.js is touched or relied on.

const listeners = new Set();

function install() {
  const Base = window.RTCPeerConnection;
  if (!Base || Base.watched) return;
  class WatchedPeerConnection extends Base {
    constructor(...args) {
      super(...args);
      for (const listener of listeners) listener(this);
    }
  }
  WatchedPeerConnection.watched = true;
  window.RTCPeerConnection = WatchedPeerConnection;
}

// Calls `listener(pc)` for each peer connection made from now on; returns the way to stop.
export function watchPeerConnections(listener) {
  install();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function isOpen(pc) {
  return pc.signalingState !== "closed" && pc.connectionState !== "closed";
}
