// The dashboard's only script (no inline scripts: CSP script-src 'self').
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before destructive forms (data-confirm holds text, never HTML).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // Reload while "check now" jobs are queued or running.
  var busy = document.querySelector("[data-refresh]");
  if (busy) {
    var seconds = parseInt(busy.getAttribute("data-refresh"), 10) || 3;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
});
