// The connection quality in words, from the figures of call-stats.js (via RoomCall's
// "stats" events): the level the page shows, and the details behind it.
import { qualityOf } from "./call-state.js";
import { pathText } from "./connection-path.js";
import { N_, _, language } from "./texts.js";

export const QUALITY_TEXTS = {
  unknown: N_("Connection: checking…"),
  good: N_("Connection: good"),
  fair: N_("Connection: fair"),
  poor: N_("Connection: poor"),
};

// `videoExpected`: whether the other person's video should be arriving (not when they
// send sound only on purpose, nor while nobody else is in the room).
export function levelOf(figures, videoExpected) {
  if (!figures) return "unknown";
  const loss = Math.max(figures.lossIn ?? 0, figures.lossOut ?? 0);
  const known = figures.lossIn !== null || figures.lossOut !== null;
  return qualityOf({
    loss: known ? loss : null, rtt: figures.rtt, fps: figures.receiving ? figures.fps : null,
    videoExpected,
  });
}

function number(value) {
  const text = String(value);
  return language() === "sv" ? text.replace(".", ",") : text;
}

function percent(share) {
  return share === null ? "–" : `${number(Math.round(share * 1000) / 10)}\u00a0%`; // (never "0⏎%")
}

// "Round trip 24 ms · loss 0.3 % in, 0 % out · …", in the current language.
export function detailsText(figures, bitrate) {
  if (!figures) return _("No figures yet.");
  const parts = [
    _("Round trip: %(ms)s ms", { ms: figures.rtt === null ? "–" : Math.round(figures.rtt * 1000) }),
    _("Loss: %(in)s received, %(out)s sent", {
      in: percent(figures.lossIn), out: percent(figures.lossOut),
    }),
    _("Video received: %(kbps)s kbit/s, %(fps)s frames/s", {
      kbps: figures.kbpsIn, fps: figures.fps === null ? "–" : number(figures.fps),
    }),
    _("Video sent: %(kbps)s kbit/s (at most %(max)s)", { kbps: figures.kbpsOut, max: bitrate }),
  ];
  if (figures.path) parts.push(pathText(figures.path));
  return parts.join(" · ");
}
