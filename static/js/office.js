// office.js: the live character and segment count of the SMS template on
// the invitations page. The page works without it: the "Count" button
// asks the server for the same figures (invite.Segments).
(function () {
  "use strict";
  var ta = document.getElementById("sms-template");
  var out = document.getElementById("sms-count");
  if (!ta || !out) { return; }
  function segments(msg) {
    var n = Array.from(msg).length;
    var ascii = !/[^\x00-\x7f]/.test(msg);
    var single = ascii ? 160 : 70, multi = ascii ? 153 : 67;
    return n <= single ? 1 : Math.ceil(n / multi);
  }
  function update() {
    var msg = ta.value.trim()
      .split("{link}").join(ta.dataset.link || "")
      .split("{city}").join(ta.dataset.city || "")
      .split("{title}").join(ta.dataset.title || "");
    var f = out.dataset.lang === "en" ? out.dataset.formatEn : out.dataset.formatZh;
    out.textContent = f.replace("%c", String(Array.from(msg).length)).replace("%s", String(segments(msg)));
  }
  ta.addEventListener("input", update);
  update();
})();
