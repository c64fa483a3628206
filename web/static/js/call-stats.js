// The call's figures of the last second, from the getStats reports of its peer connections:
// round-trip time, loss both ways, bitrate both ways, frames of the other person's video
// decoded per second, whether their sound arrives, the bandwidth the browser estimates, and
// which way the media goes (live/connection-path.js).
// Used by RoomCall (janus-room.js), which sends them on to the page as "stats" events.

import { pathOfAll } from "./live/connection-path.js";

export class StatsSampler {
  constructor() {
    this.before = new WeakMap(); // pc -> {id -> totals, at}
  }

  async sample(pcs) {
    const figures = {
      rtt: null, lossIn: null, lossOut: null, kbpsIn: 0, kbpsOut: 0, kbpsResent: 0, fps: 0,
      framesDecoded: 0, soundIn: false, available: null, path: null, receiving: false,
    };
    let fpsKnown = false;
    let lostIn = 0;
    let gotIn = 0;
    const lossOut = [];
    for (const pc of pcs) {
      let report;
      try {
        report = await pc.getStats();
      } catch {
        continue;
      }
      const now = performance.now();
      const previous = this.before.get(pc);
      const totals = new Map();
      const seconds = previous ? Math.max(0.2, (now - previous.at) / 1000) : null;
      const delta = (entry, field) => {
        const old = previous?.totals.get(entry.id)?.[field];
        return old === undefined || entry[field] === undefined ? null : Math.max(0, entry[field] - old);
      };
      report.forEach((entry) => {
        if (entry.type === "inbound-rtp") {
          totals.set(entry.id, entry);
          const lost = delta(entry, "packetsLost");
          const got = delta(entry, "packetsReceived");
          if (lost !== null && got !== null) {
            lostIn += lost;
            gotIn += got;
          }
          if (entry.kind === "video") {
            figures.receiving = true;
            figures.framesDecoded += entry.framesDecoded || 0;
            const frames = delta(entry, "framesDecoded");
            if (frames !== null) {
              figures.fps += frames / seconds;
              fpsKnown = true;
            }
            const bytes = delta(entry, "bytesReceived");
            if (bytes !== null) figures.kbpsIn += (bytes * 8) / 1000 / seconds;
          } else if (entry.kind === "audio" && got) {
            figures.soundIn = true;
          }
        } else if (entry.type === "outbound-rtp" && entry.kind === "video") {
          totals.set(entry.id, entry);
          // What the encoder sends, and apart from it what went again after a loss.
          const bytes = delta(entry, "bytesSent");
          const again = delta(entry, "retransmittedBytesSent") ?? 0;
          if (bytes !== null) {
            figures.kbpsOut += ((bytes - again) * 8) / 1000 / seconds;
            figures.kbpsResent += (again * 8) / 1000 / seconds;
          }
          // Janus asks again for each packet it lost (NACK): the share sent again is the
          // loss on the way there, before the second tries mend it (which Janus's own
          // receiver reports, below, count as arrived).
          const packets = delta(entry, "packetsSent");
          const resent = delta(entry, "retransmittedPacketsSent");
          if (packets && resent !== null) lossOut.push(Math.min(1, resent / packets));
        } else if (entry.type === "remote-inbound-rtp" && entry.fractionLost !== undefined) {
          lossOut.push(entry.fractionLost);
          if (entry.roundTripTime !== undefined) figures.rtt = Math.max(figures.rtt ?? 0, entry.roundTripTime);
        } else if (entry.type === "candidate-pair" && entry.nominated && entry.state === "succeeded") {
          if (entry.currentRoundTripTime !== undefined) {
            figures.rtt = Math.max(figures.rtt ?? 0, entry.currentRoundTripTime);
          }
          if (entry.availableOutgoingBitrate !== undefined) {
            const kbps = entry.availableOutgoingBitrate / 1000;
            figures.available = figures.available === null ? kbps : Math.min(figures.available, kbps);
          }
        }
      });
      this.before.set(pc, { totals, at: now });
    }
    // Which way the media goes: direct or through a TURN relay, over UDP, TCP or TLS.
    figures.path = await pathOfAll(pcs);
    if (lostIn + gotIn > 0) figures.lossIn = lostIn / (lostIn + gotIn);
    if (lossOut.length) figures.lossOut = Math.max(...lossOut);
    // The first sample of a connection has nothing to compare with: frames per second unknown.
    figures.fps = fpsKnown ? Math.round(figures.fps * 10) / 10 : null;
    figures.kbpsIn = Math.round(figures.kbpsIn);
    figures.kbpsOut = Math.round(figures.kbpsOut);
    figures.kbpsResent = Math.round(figures.kbpsResent);
    return figures;
  }
}
