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

  // Editor: drag a page by its title bar to move it among the pages, and
  // drag an item to move it within its page or onto another; dropping
  // posts the whole new order (field order) to the same action as any
  // other save. The up/down buttons stay for keyboards and for browsers
  // without this script. The editor of a locked questionnaire does not
  // load this script, so nothing can be dragged there.
  var tree = document.getElementById("q-tree");
  if (!tree) return;
  var hint = document.getElementById("drag-hint");
  if (hint) hint.hidden = false;
  var drag = null; // {kind: "page" | "item", el, parent, next, dropped}
  var saved = order();

  function handle(el, label) {
    var h = document.createElement("span");
    h.className = "handle";
    h.setAttribute("aria-hidden", "true");
    h.title = label;
    h.textContent = "⠿";
    el.insertBefore(h, el.firstChild);
  }

  function start(kind, el, ev) {
    ev.stopPropagation();
    drag = {kind: kind, el: el, parent: el.parentNode, next: el.nextSibling, dropped: false};
    el.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", el.getAttribute(kind === "page" ? "data-page" : "data-item"));
  }

  function end() {
    if (!drag) return;
    drag.el.classList.remove("dragging");
    // Dropped outside a list (or cancelled with Esc): put it back.
    if (!drag.dropped) drag.parent.insertBefore(drag.el, drag.next);
    drag = null;
  }

  // place moves the dragged element before the first of the list's
  // elements whose middle lies below the pointer, or to the end.
  function place(list, selector, y) {
    var before = null;
    list.querySelectorAll(selector).forEach(function (el) {
      if (el === drag.el || el.parentNode !== list) return;
      var r = el.getBoundingClientRect();
      if (before === null && y < r.top + r.height / 2) before = el;
    });
    if (before) list.insertBefore(drag.el, before); else list.appendChild(drag.el);
  }

  var label = tree.getAttribute("data-drag-label") || "";
  tree.querySelectorAll(".q-page[data-page] > header").forEach(function (h) {
    var page = h.parentNode;
    h.draggable = true;
    handle(h, label);
    h.addEventListener("dragstart", function (ev) { start("page", page, ev); });
    h.addEventListener("dragend", end);
  });
  tree.querySelectorAll(".q-item[data-item]").forEach(function (li) {
    li.draggable = true;
    handle(li.querySelector(".zh") || li, label);
    li.addEventListener("dragstart", function (ev) { start("item", li, ev); });
    li.addEventListener("dragend", end);
  });
  tree.querySelectorAll(".q-items").forEach(function (ol) {
    ol.addEventListener("dragover", function (ev) {
      if (!drag || drag.kind !== "item") return;
      ev.preventDefault();
      ev.stopPropagation();
      place(ol, ".q-item[data-item]", ev.clientY);
    });
  });
  tree.addEventListener("dragover", function (ev) {
    if (!drag || drag.kind !== "page") return;
    ev.preventDefault();
    place(tree, ".q-page[data-page]", ev.clientY);
  });
  tree.addEventListener("drop", function (ev) {
    if (!drag) return;
    ev.preventDefault();
    drag.dropped = true;
    if (order() !== saved) save();
  });

  // order is the field the server reads: page=item,item;page=….
  function order() {
    var parts = [];
    tree.querySelectorAll(".q-page[data-page]").forEach(function (p) {
      var ids = [];
      p.querySelectorAll(".q-item[data-item]").forEach(function (i) { ids.push(i.getAttribute("data-item")); });
      parts.push(p.getAttribute("data-page") + "=" + ids.join(","));
    });
    return parts.join(";");
  }

  function save() {
    var f = document.createElement("form");
    f.method = "post";
    f.action = tree.getAttribute("data-order-url");
    [["csrf", tree.getAttribute("data-csrf")], ["rev", tree.getAttribute("data-rev")], ["order", order()]].forEach(function (kv) {
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
