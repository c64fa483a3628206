// The phases of the candidate's day (before check-in, waiting, offer, interview, feedback,
// thanks, left): which one a state shows, which part of the page shows in each, the title
// that says it in a background tab, where the focus lands, and the words after the queue
// was left.
import { _ } from "./texts.js";

// The phase of the day a state shows; `changingAnswer`: the saved answer's form asked for
// again (Change my answer), in place of the thanks.
export function phaseOf(state, changingAnswer) {
  if (state.interview) return "interview";
  if (state.offer) return "offer";
  if (state.feedback_open) return "feedback";
  switch (state.queue.state) {
    case "waiting": case "offered": case "interviewing": return "waiting";
    case "away": case "left": return "left";
    case "done": return changingAnswer ? "feedback" : "thanks";
    default: return "before";
  }
}

// `root` shows `phase` in place of `before` (null: the page's first drawing).
export function showPhase(root, phase, before) {
  // The page's own sections; not the call inside the interview's, whose data-phase is the
  // call's own (call-view.js), and which may be joining already when its state comes.
  for (const section of root.querySelectorAll("[data-phase]:not([data-call])")) {
    section.hidden = section.dataset.phase !== phase;
  }
  // The registration facts, the job and Cancel belong to the time before check-in.
  const quiet = phase === "before" || phase === "left";
  for (const part of document.querySelectorAll("[data-live-static]")) part.hidden = !quiet;
  document.body.dataset.livePhase = phase;
  // In a background tab the title says it too.
  document.body.dataset.i18nTitle = phase === "offer" ? "It is your turn!" : "Your personal page";
  document.title = `${phase === "offer" ? _("It is your turn!") : _("Your personal page")} – Snabbintervjuer`;
  if (before !== null && phase !== "offer") {
    // Keyboard and screen-reader users land on what changed (the offer focuses itself).
    const heading = root.querySelector(`[data-phase="${phase}"] h2`);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }
}

// The words of the page after the queue was left: how it was left (`queue` of the state).
export function leftQueueText(queue) {
  if (queue?.state === "away") {
    return _("You were away for a while, so nobody calls you now. Check in again to get your place back.");
  }
  if (queue?.reason === "missed") {
    return _("You did not join in time when you were called, twice, so you are no longer in the queue. If you check in again, you join at the end of it.");
  }
  return _("If you check in again, you join at the end of the queue.");
}
