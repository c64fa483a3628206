// Loaded with `nomodule`: runs only in a browser without ES modules, which cannot run the
// call pages either; it shows the device check's "this browser cannot make video calls"
// notice. A file of its own because the Content-Security-Policy allows no inline script.
document.getElementById("browser-unsupported").removeAttribute("hidden");
