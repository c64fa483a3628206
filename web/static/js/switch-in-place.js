// A page that answers a form and cannot be loaded again (the erasure's receipt: the link it
// was made from no longer works): its language switch changes the texts in place
// (live/texts.js, <body data-live-page>) instead of loading its address in the other
// language, which would lose what the page says.
import { startTexts } from "./live/texts.js";

startTexts();
