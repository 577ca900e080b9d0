/* Pages of tiles or rules that fit one iPad screen, with big Back and More arrows.
 *
 * A list marked data-pages="FIRST,LATER" shows FIRST items on its first page and LATER on each
 * page after; the arrows go into the element named by data-pages-nav, before what it already
 * holds. Without this script the list is simply shown whole.
 */
(function () {
  "use strict";

  function arrow(text, symbol, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pupil-button " + className;
    var img = document.createElement("img");
    img.src = "/symbols/" + symbol + ".svg";
    img.alt = "";
    var span = document.createElement("span");
    span.textContent = text;
    button.appendChild(img);
    button.appendChild(span);
    return button;
  }

  function paginate(list) {
    var sizes = list.getAttribute("data-pages").split(",").map(function (n) { return parseInt(n, 10); });
    var items = Array.prototype.slice.call(list.children);
    var nav = document.getElementById(list.getAttribute("data-pages-nav"));
    if (!nav || items.length <= sizes[0]) { return; }
    var page = 0;
    var back = arrow("Back", "2B05", "page-back");
    var more = arrow("More", "27A1", "page-more big-next");
    // The screen's Read to me says the arrows too (static/js/speech.js).
    var screen = list.closest("[data-say][id]");
    if (screen) { [back, more].forEach(function (b) { b.setAttribute("data-say-with", screen.id); }); }
    var anchor = nav.firstChild;  // the arrows go before what the row already holds

    function bounds(n) {
      var start = n === 0 ? 0 : sizes[0] + (n - 1) * sizes[1];
      return [start, n === 0 ? sizes[0] : start + sizes[1]];
    }

    function show(n) {
      page = n;
      var range = bounds(n);
      items.forEach(function (item, i) { item.hidden = i < range[0] || i >= range[1]; });
      // Arrows that lead nowhere are taken away, not hidden: nothing to scan or tap past.
      place(back, n > 0);
      place(more, range[1] < items.length);
      document.dispatchEvent(new CustomEvent("classroom:screen", { detail: list }));
    }

    function place(button, wanted) {
      if (!wanted) { if (button.parentNode) { button.remove(); } return; }
      if (!button.parentNode) { nav.insertBefore(button, button === more ? anchor : (more.parentNode ? more : anchor)); }
    }

    function turn(by) {
      show(page + by);
      // The arrow pressed may have gone (no more pages): keep focus on this page's first item.
      if (!document.activeElement || document.activeElement === document.body) {
        var first = items[bounds(page)[0]].querySelector("a, button");
        if (first) { first.focus(); }
      }
    }
    back.addEventListener("click", function () { turn(-1); });
    more.addEventListener("click", function () { turn(1); });
    show(0);
  }

  document.querySelectorAll("[data-pages]").forEach(paginate);
})();
