// "Copy" buttons: copy a read-only field's text and say so to screen readers too.
const status = document.querySelector("[data-copy-status]");

document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      // No clipboard permission (or an old browser): select the text for Ctrl-C instead.
      field.select();
      return;
    }
    if (status) status.textContent = status.dataset.text;
  });
});
