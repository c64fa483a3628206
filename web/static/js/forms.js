// Every form page: when the server sent the form back with errors, move the focus (and the
// view) to the summary of what to correct, so nobody is left looking at an unchanged page.
document.getElementById("error-summary")?.focus();
