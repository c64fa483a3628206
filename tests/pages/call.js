// The script of tests/pages/call.html: a file of its own because the site's
// Content-Security-Policy allows no inline script.
import { CallView } from "/static/js/live/call-view.js";
import { startTexts } from "/static/js/live/texts.js";
const log = (window.callLog = []);
window.startCall = async (ticket) => {
  await startTexts();
  const view = (window.callView = new CallView(document.querySelector("[data-call]")));
  for (const type of ["left", "remote-video", "failed"]) {
    view.addEventListener(type, (event) => log.push({ type, detail: event.detail && event.detail.code }));
  }
  await view.join(ticket);
};
