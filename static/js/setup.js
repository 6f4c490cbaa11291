// setup.js: improvements of the questionnaire editor only; every page
// works without it (up/down buttons, all fields shown).
(function () {
  "use strict";

  // Item form: show only the fields of the chosen type.
  var form = document.getElementById("item-form");
  if (form) {
    var type = form.querySelector("select[name=type]");
    var sync = function () {
      form.querySelectorAll("[data-types]").forEach(function (el) {
        el.hidden = el.getAttribute("data-types").split(" ").indexOf(type.value) < 0;
      });
    };
    type.addEventListener("change", sync);
    sync();
  }

  // Preview: reload the phone frame when the tab comes back into view, so
  // that an edit saved in another tab shows at once.
  var frame = document.getElementById("preview-frame");
  if (frame) {
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") frame.src = frame.src;
    });
  }

  // Editor: drag items to reorder them, within a page or onto another
  // page; the new order is posted as the order field the server reads.
  var tree = document.getElementById("q-tree");
  if (!tree) return;
  var dragged = null;
  tree.querySelectorAll(".q-item[data-item]").forEach(function (li) {
    li.draggable = true;
    li.addEventListener("dragstart", function (ev) {
      dragged = li;
      li.classList.add("dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", li.getAttribute("data-item"));
    });
    li.addEventListener("dragend", function () {
      li.classList.remove("dragging");
      dragged = null;
    });
  });
  tree.querySelectorAll(".q-items").forEach(function (ol) {
    ol.addEventListener("dragover", function (ev) {
      if (!dragged) return;
      ev.preventDefault();
      var after = null;
      ol.querySelectorAll(".q-item[data-item]:not(.dragging)").forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (after === null && ev.clientY < r.top + r.height / 2) after = el;
      });
      if (after) ol.insertBefore(dragged, after); else ol.appendChild(dragged);
    });
    ol.addEventListener("drop", function (ev) {
      ev.preventDefault();
      save();
    });
  });

  function save() {
    var parts = [];
    tree.querySelectorAll(".q-page[data-page]").forEach(function (p) {
      var ids = [];
      p.querySelectorAll(".q-item[data-item]").forEach(function (i) { ids.push(i.getAttribute("data-item")); });
      parts.push(p.getAttribute("data-page") + "=" + ids.join(","));
    });
    var f = document.createElement("form");
    f.method = "post";
    f.action = tree.getAttribute("data-order-url");
    [["csrf", tree.getAttribute("data-csrf")], ["rev", tree.getAttribute("data-rev")], ["order", parts.join(";")]].forEach(function (kv) {
      var i = document.createElement("input");
      i.type = "hidden";
      i.name = kv[0];
      i.value = kv[1];
      f.appendChild(i);
    });
    document.body.appendChild(f);
    f.submit();
  }
})();
