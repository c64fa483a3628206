// The own video, as RoomCall (janus-room.js) sends it: its bitrate following the loss
// second by second (send-control.js), a pause with sound going on when the bandwidth runs out
// or the camera stops, and the way back; the camera button. Through the publisher's janus.js
// handle (public API).
//   sending: video | audio-only:bandwidth | audio-only:camera, or for the whole call
//            audio-only:no-camera | audio-only:camera-in-use
import { adapt, initialControl, resume } from "./send-control.js";

export class VideoSender {
  // publisher: the janus.js handle; peerConnections(): the page's open ones (janus-room.js),
  // among them the publisher's, whose video sender takes the encoder's ceiling.
  constructor(publisher, peerConnections = () => []) {
    this.publisher = publisher;
    this.peerConnections = peerConnections;
    this.ceilingUnderWay = false;
    this.control = initialControl();
    this.sending = "video";
    this.cameraOn = true;  // the call's camera button
    this.relayed = true;   // whether Janus was last asked to relay our video
    this.linkUp = false;
  }

  // One second's figures (call-stats.js); slow: Janus said our uplink is slow; local: the
  // own stream, whose camera track may have ended.
  follow(figures, { slow, linkUp, local }) {
    const camera = local?.getVideoTracks()[0];
    if (camera && camera.readyState === "ended" && this.sending !== "audio-only:camera") {
      this.pause("audio-only:camera"); // unplugged, taken by another app, stopped by the system
    }
    this.linkUp = linkUp;
    this.askRelay();
    if (this.sending !== "video" || !linkUp || !this.cameraOn) return;
    this.control = adapt(this.control, {
      loss: figures.lossOut, slow, available: figures.available, sent: figures.kbpsOut || null,
    });
    // Every second, not only on a change: a change the browser refused (one still under
    // way) is made good a second later.
    this.setBitrate(this.control.target);
    if (this.control.changed) this.askJanusFor(this.control.target);
    if (this.control.pause) this.pause("audio-only:bandwidth");
  }

  // Published without a camera (janus-room.js askMedia: `why`, a media-problem.js name, the
  // camera missing or taken by another program): sound only for the whole call, with no
  // video track to pause, adapt or bring back.
  noCamera(why) {
    this.sending = why === "noCamera" ? "audio-only:no-camera" : "audio-only:camera-in-use";
  }

  mid() {
    return (this.publisher.getLocalTracks() || []).find((track) => track.type === "video")?.mid;
  }

  // The encoder's own ceiling (RTCRtpSender encoding parameters) ... Set here rather than
  // by janus.js's setMaxBitrate, which drops setParameters' promise: a refusal (Chromium
  // refuses one made while the machine is slow to answer, "getParameters() has never been
  // called") was an unhandled error on the page. One change at a time; one refused or
  // skipped is made good by the next second's.
  async setBitrate(kbps) {
    const sender = this.videoSender();
    if (!sender || this.ceilingUnderWay) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) return;
    parameters.encodings[0].maxBitrate = kbps * 1000;
    this.ceilingUnderWay = true;
    try {
      await sender.setParameters(parameters);
    } catch {
      // Refused: the next second's figures set it again.
    } finally {
      this.ceilingUnderWay = false;
    }
  }

  // The RTCRtpSender of our video: the publisher's transceiver with its mid that sends
  // (a subscriber's connection may use the same mid, to receive).
  videoSender() {
    const mid = this.mid();
    if (mid === undefined) return null;
    for (const pc of this.peerConnections()) {
      const sending = pc.getTransceivers().find(
        (transceiver) => transceiver.mid === mid && transceiver.direction.startsWith("send"),
      );
      if (sending) return sending.sender;
    }
    return null;
  }

  // ... and the same from Janus's side: its bandwidth estimate to us (REMB) says no more.
  askJanusFor(kbps) {
    this.publisher.send({ message: { request: "configure", bitrate: kbps * 1000 } });
  }

  // Sound only: Janus stops relaying our video (so the other side sees it stop, not freeze
  // on a black picture), and the camera's track sends nothing worth the bandwidth.
  pause(reason) {
    this.sending = reason;
    const mid = this.mid();
    if (mid === undefined) return;
    this.publisher.muteVideo(mid);
    this.relayed = false;
    this.publisher.send({ message: { request: "configure", streams: [{ mid, send: false }] } });
  }

  // The camera button: off stops Janus relaying our video, as a pause does, so the other
  // side sees the picture stop and is told so (a muted track alone arrives as a black
  // picture on a connection called good); on sends it again. During a pause it is only
  // kept, for resume().
  setCamera(on) {
    if (on === this.cameraOn) return;
    this.cameraOn = on;
    if (this.sending !== "video") return;
    const mid = this.mid();  // (none yet before the offer: every video track, the one)
    if (on) this.publisher.unmuteVideo(mid);
    else this.publisher.muteVideo(mid);
    this.askRelay();
  }

  // Janus is asked only once our media is up (the camera may be switched off before): the
  // publishing configure has been answered by then, and the stream it names exists.
  askRelay() {
    const mid = this.mid();
    const relay = this.sending === "video" && this.cameraOn;
    if (relay === this.relayed || !this.linkUp || mid === undefined) return;
    this.relayed = relay;
    this.publisher.send({ message: { request: "configure", streams: [{ mid, send: relay }] } });
  }

  // Video back on, after a pause: a new camera track if the old one ended.
  async resume() {
    const mid = this.mid();
    if (mid === undefined || this.sending === "video") return;
    if (this.sending === "audio-only:camera") {
      await new Promise((resolve, reject) => {
        this.publisher.replaceTracks({
          tracks: [{ type: "video", mid, capture: true }], success: resolve, error: reject,
        });
      });
    }
    this.sending = "video";
    this.control = resume(this.control);
    this.setBitrate(this.control.target);
    this.askJanusFor(this.control.target);
    if (this.cameraOn) this.publisher.unmuteVideo(mid);
    this.askRelay();
  }
}
