// The event form, enhanced: add and remove questions, attributes and interviewers, reorder
// the questions and attributes (a list with data-fixed-order has no arrows; a row with
// data-kept, one the interviews began with, neither arrows nor ✕, and nothing goes above it),
// the number of interviews the event can hold, and pasting an existing job ad. Enter in a
// row moves on through the list instead of sending the form.
// Without JavaScript the form still works: it always has a couple of empty rows to fill in.
const form = document.querySelector(".event-form");
const texts = document.querySelector("[data-texts]").dataset;

function renumber(list) {
  list.querySelectorAll("[data-item]").forEach((item, index) => {
    item.querySelectorAll("label").forEach((label) => {
      label.textContent = label.textContent.replace(/\d+$/, String(index + 1));
    });
    item.querySelectorAll("input").forEach((input) => {
      input.id = input.id.replace(/\d+$/, String(index + 1));
    });
    item.querySelectorAll("label").forEach((label, n) => {
      label.htmlFor = item.querySelectorAll("input")[n].id;
    });
    const name = `${list.closest("[data-item-list]").dataset.itemName} ${index + 1}`;
    const up = item.querySelector("[data-move='-1']");
    const down = item.querySelector("[data-move='1']");
    if (item.hasAttribute("data-kept")) return;
    item.querySelector("[data-remove]").setAttribute("aria-label", `${texts.remove}: ${name}`);
    if (up && down) {
      up.setAttribute("aria-label", `${texts.up}: ${name}`);
      down.setAttribute("aria-label", `${texts.down}: ${name}`);
      // Nothing moves above the ones the interviews began with (kept: no buttons of their own).
      up.disabled = index === 0 || item.previousElementSibling.hasAttribute("data-kept");
      down.disabled = !item.nextElementSibling;
    }
  });
}

function addControls(item, fixedOrder) {
  const controls = document.getElementById("item-controls").content.firstElementChild.cloneNode(true);
  const [up, down, remove] = controls.querySelectorAll("button");
  up.textContent = "↑";
  down.textContent = "↓";
  remove.textContent = "✕";
  if (fixedOrder) {
    up.remove();
    down.remove();
  }
  item.append(controls);
}

function setUpList(fieldset) {
  const list = fieldset.querySelector("[data-items]");
  const limit = Number(fieldset.dataset.limit);
  const fixedOrder = fieldset.hasAttribute("data-fixed-order");
  const template = list.querySelector("[data-item]").cloneNode(true);
  template.removeAttribute("data-kept");
  template.querySelectorAll("input").forEach((input) => {
    input.value = "";
    input.readOnly = false;
    input.removeAttribute("aria-describedby");
    input.removeAttribute("aria-invalid");
  });
  list.querySelectorAll("[data-item]:not([data-kept])").forEach((item) => addControls(item, fixedOrder));

  const add = document.createElement("button");
  add.type = "button";
  add.className = "secondary";
  add.dataset.addItem = "";  // forms.js adds rows with it to put back a form kept across a language switch
  add.textContent = fieldset.dataset.addLabel;
  const status = document.createElement("p");
  status.className = "hint";
  status.setAttribute("aria-live", "polite");
  fieldset.append(add, status);

  const refresh = () => {
    renumber(list);
    const full = list.children.length >= limit;
    add.disabled = full;
    status.textContent = full ? texts.full : "";
  };
  add.addEventListener("click", () => {
    const item = template.cloneNode(true);
    addControls(item, fixedOrder);
    list.append(item);
    refresh();
    item.querySelector("input").focus();
  });
  // Enter in a row goes on to the next field of the list, and from the last one to a new
  // row (when this one is filled in), as in a list editor: it does not send the form.
  list.addEventListener("keydown", (event) => {
    // keyCode 229: the Enter that ends an input method's composition (WebKit has already
    // cleared isComposing for it).
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    if (event.target.tagName !== "INPUT") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const inputs = [...list.querySelectorAll("input")];
    const next = inputs[inputs.indexOf(event.target) + 1];
    if (next) next.focus();
    else if (event.target.closest("[data-item]").querySelector("input").value.trim() && !add.disabled) add.click();
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const item = button.closest("[data-item]");
    if (button.hasAttribute("data-remove")) {
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      if (list.children.length === 0) add.click();
      refresh();
      (next?.querySelector("input") || add).focus();
      return;
    }
    if (!button.hasAttribute("data-move")) return;
    const step = Number(button.dataset.move);
    const target = step < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (!target) return;
    if (step < 0) target.before(item);
    else target.after(item);
    refresh();
    // At the top or bottom this arrow is now disabled: keep the focus on the row instead.
    (button.disabled ? item.querySelector("input") : button).focus();
  });
  refresh();
}

function setUpCapacity() {
  const output = document.querySelector("[data-capacity-summary]");
  if (!output) return; // an event that is over (events/form.html)
  const number = (name) => Number(form.elements[name].value) || 0;
  // A whole number within the field's own bounds (what the server takes): otherwise the
  // field's error says what is wrong, and a sum of what it would not take says nothing.
  const inBounds = (name) => {
    const input = form.elements[name];
    const value = Number(input.value);
    return input.value.trim() !== "" && Number.isInteger(value)
      && value >= Number(input.min) && value <= Number(input.max);
  };
  const grouped = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const update = () => {
    // Each person once: the same address twice (in any case) is one interviewer, as the
    // server counts them (it refuses the second row).
    const interviewers = new Set([...form.querySelectorAll('input[name="interviewer_email"]')]
      .map((input) => input.value.trim().toLowerCase()).filter(Boolean)).size;
    const minutes = number("interview_minutes");
    const slots = minutes > 0 ? Math.floor(number("duration_minutes") / minutes) * interviewers : 0;
    const capacity = number("capacity");
    if (interviewers === 0) {
      output.textContent = output.dataset.textNone;
      output.classList.remove("warning");
      return;
    }
    if (!["duration_minutes", "interview_minutes", "capacity"].every(inBounds)) {
      output.textContent = "";
      output.classList.remove("warning");
      return;
    }
    output.textContent = capacity > slots
      ? output.dataset.textOver.replace("{capacity}", grouped.format(capacity))
        .replace("{count}", grouped.format(slots))
      // One form for 1 and one for every other number: the plural rule of both catalogs
      // (Swedish and English, Plural-Forms: plural=(n != 1)).
      : (slots === 1 ? output.dataset.textSlot : output.dataset.textSlots).replace("{count}", grouped.format(slots));
    output.classList.toggle("warning", capacity > slots);
  };
  form.addEventListener("input", update);
  form.addEventListener("click", () => setTimeout(update));
  update();
}

// The ad's text replaces the job description only when there is text to take, and what it
// replaced can be put back: a press on an empty box, or on the wrong one, loses nothing.
function setUpPasteAd() {
  const details = document.querySelector("[data-paste-ad]");
  details.hidden = false;
  const ad = document.getElementById("job_ad");
  const description = document.getElementById("job_description");
  const note = details.querySelector("[data-ad-note]");
  const undo = details.querySelector("[data-undo-ad]");
  // The employer's own text that the ad replaced, until they type in the description: a
  // second press (a double Enter, another ad) keeps it, not the first ad's text.
  let earlier = null;
  // Emptied first and written a moment later, so that the same words said again (a second
  // press on an empty box) are read out again.
  const say = (text) => {
    note.textContent = "";
    if (text) requestAnimationFrame(() => { note.textContent = text; });
  };
  details.querySelector("[data-use-ad]").addEventListener("click", () => {
    // Text copied from web pages brings non-breaking spaces, trailing blanks and runs of
    // empty lines; keep the paragraphs and drop the rest.
    const cleaned = ad.value
      .replace(/\u00a0/g, " ")
      .split("\n").map((line) => line.replace(/\s+$/, "")).join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
    if (!cleaned) {
      say(note.dataset.textEmpty);
      ad.focus();
      return;
    }
    if (earlier === null) earlier = description.value;
    description.value = cleaned;
    say(note.dataset.textReplaced);
    // Offered only when there was something to lose.
    undo.hidden = !earlier.trim() || earlier === cleaned;
    description.focus();
  });
  undo.addEventListener("click", () => {
    description.value = earlier;
    earlier = null;
    undo.hidden = true;
    say(note.dataset.textRestored);
    description.focus();
  });
  // Typing in the description makes its text the one to keep.
  description.addEventListener("input", () => {
    undo.hidden = true;
    earlier = null;
    say("");
  });
}

form.querySelectorAll("[data-item-list]").forEach(setUpList);
setUpCapacity();
setUpPasteAd();
