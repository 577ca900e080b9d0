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
      // An arrow that leads nowhere keeps its place but is not there to see, tap, scan, hear or
      // Tab to (visibility: hidden): so More, Back and what follows never move between pages,
      // and a hand or switch that learnt where More is finds it there on every page.
      back.classList.toggle("page-arrow-spare", n === 0);
      more.classList.toggle("page-arrow-spare", range[1] >= items.length);
      document.dispatchEvent(new CustomEvent("classroom:screen", { detail: list }));
    }

    function turn(by, pressed) {
      show(page + by);
      // The arrow pressed may have gone (no more pages): keep focus on this page's first item.
      if (pressed.classList.contains("page-arrow-spare") || document.activeElement === document.body) {
        var first = items[bounds(page)[0]].querySelector("a, button");
        if (first) { first.focus(); }
      }
    }
    back.addEventListener("click", function () { turn(-1, back); });
    more.addEventListener("click", function () { turn(1, more); });
    nav.insertBefore(back, anchor);
    nav.insertBefore(more, anchor);
    show(0);
  }

  document.querySelectorAll("[data-pages]").forEach(paginate);
})();
