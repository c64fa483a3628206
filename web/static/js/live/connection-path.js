// Which way a call's media goes: straight to the media server, or through a TURN relay, and
// over UDP, TCP or TLS — read from RTCPeerConnection.getStats(), the selected candidate pair.
// Shown beside the connection quality, so that "it works, through the relay over TLS" can be
// told from "it works, directly" (README.md, "TURN").
//
//   const path = await connectionPath(pc);  // null until a pair is selected
//   // {kind: "direct" | "relay", candidateType: "host" | "srflx" | "prflx" | "relay",
//   //  transport: "udp" | "tcp" | "tls"}   (transport: browser to the server or relay)
//   pathText(path)                           // the path in words, in the page's language
//   pathOfAll([pc, …])                       // the path of the first connected one
import { N_, _ } from "./texts.js";

const TEXTS = {
  "direct-udp": N_("Direct connection (UDP)"),
  "direct-tcp": N_("Direct connection (TCP)"),
  "relay-udp": N_("Through a relay server (TURN over UDP)"),
  "relay-tcp": N_("Through a relay server (TURN over TCP)"),
  "relay-tls": N_("Through a relay server (TURN over TLS)"),
};

function selectedPair(report) {
  let pair = null;
  report.forEach((entry) => {
    // The standard way (Chromium, WebKit): the transport names its selected pair.
    if (entry.type === "transport" && entry.selectedCandidatePairId) {
      pair = report.get(entry.selectedCandidatePairId) || pair;
    }
  });
  if (pair) return pair;
  report.forEach((entry) => {
    // Firefox marks the pair itself.
    if (!pair && entry.type === "candidate-pair" && entry.selected && entry.state === "succeeded") {
      pair = entry;
    }
  });
  return pair;
}

export async function connectionPath(pc) {
  if (!pc || pc.connectionState === "closed") return null;
  let report;
  try {
    report = await pc.getStats();
  } catch {
    return null;
  }
  const pair = selectedPair(report);
  const local = pair && report.get(pair.localCandidateId);
  if (!local || !local.candidateType) return null;
  const relayed = local.candidateType === "relay";
  // A relay candidate's own protocol is the relay's UDP towards the server; how the browser
  // reaches the relay is its relayProtocol.
  const transport = String((relayed ? local.relayProtocol : local.protocol) || "udp").toLowerCase();
  return { kind: relayed ? "relay" : "direct", candidateType: local.candidateType, transport };
}

export async function pathOfAll(connections) {
  for (const pc of connections) {
    if (pc && pc.connectionState === "connected") {
      const path = await connectionPath(pc);
      if (path) return path;
    }
  }
  return null;
}

export function pathText(path) {
  if (!path) return "";
  const msgid = TEXTS[`${path.kind}-${path.transport}`];
  return msgid ? _(msgid) : "";
}
