// Lists of names in the viewer's language's order (Swedish: … Z, Å, Ä, Ö; English: Å as A),
// by the browser's ICU rules: the same rules as the server's lists (app/names.py). A list
// drawn again after a language switch is sorted again.
import { language } from "./texts.js";

const collators = new Map(); // language code -> Intl.Collator

function collator() {
  const code = language();
  if (!collators.has(code)) collators.set(code, new Intl.Collator(code === "sv" ? "sv-SE" : "en-GB"));
  return collators.get(code);
}

// A sorted copy of `items` by their `name` (ties by `id`, so the order is stable).
export function byName(items) {
  const compare = collator().compare;
  return [...items].sort((a, b) => compare(a.name, b.name) || (a.id ?? 0) - (b.id ?? 0));
}
