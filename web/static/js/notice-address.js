// The address of a page without the query parameters its notices were read from (notice-once.js).

/**
 * `href` without the parameters `names`. The others stay as they were written (not decoded
 * and encoded again: a search for "a+b" stays that search), and so does the fragment; no "?"
 * is left when none remain.
 * @param {string} href
 * @param {Iterable<string>} names
 * @returns {string}
 */
export function addressWithout(href, names) {
  const url = new URL(href);
  const dropped = new Set(names);
  const kept = url.search.slice(1).split("&").filter((part) => part && !dropped.has(nameOf(part)));
  url.search = kept.join("&");
  return url.href;
}

/** A query part's name as the server reads it ("+" a space, %-escapes decoded). */
function nameOf(part) {
  const name = part.split("=", 1)[0].replaceAll("+", " ");
  try {
    return decodeURIComponent(name);
  } catch {
    return name;  // a malformed escape: no name the page wrote
  }
}
