// The fieldwork monitor's live refresh: every 30 seconds it fetches the
// page's JSON figures and writes each into the element with the same
// data-k key. Without JavaScript the page is complete; reload to refresh.
(function () {
  "use strict";
  var root = document.querySelector("[data-monitor-json]");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-monitor-json");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d || !d.values) {
          return;
        }
        var els = document.querySelectorAll("[data-k]");
        for (var i = 0; i < els.length; i++) {
          var v = d.values[els[i].getAttribute("data-k")];
          if (v !== undefined) {
            els[i].textContent = v;
          }
        }
        var u = document.getElementById("monitor-updated");
        if (u && d.updated) {
          u.textContent = d.updated;
        }
      })
      .catch(function () {});
  }
  window.setInterval(tick, 30000);
})();
