// manyi: progressive enhancement only. The survey works without this file;
// with it, a form shows "saving…" and ignores a second tap while the first
// is on its way (the server would accept the replay anyway).
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("survey")) return;
    if (form.dataset.sent === "1") { ev.preventDefault(); return; }
    form.dataset.sent = "1";
    // The button stays enabled (a disabled button's name/value would not be
    // sent); it only looks busy.
    var btn = ev.submitter;
    if (btn && form.dataset.saving) {
      btn.setAttribute("aria-disabled", "true");
      btn.dataset.label = btn.textContent;
      btn.textContent = form.dataset.saving;
    }
  });
  // Coming back through the browser's history restores a page from memory:
  // make its form usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.survey").forEach(function (form) {
      form.dataset.sent = "";
      form.querySelectorAll("[aria-disabled]").forEach(function (b) {
        b.removeAttribute("aria-disabled");
        if (b.dataset.label) b.textContent = b.dataset.label;
      });
    });
  });
  // Move focus to the error summary after a failed submit (autofocus does
  // this too; some browsers ignore it on non-form elements).
  var s = document.querySelector(".summary");
  if (s && document.activeElement !== s) s.focus();
})();
