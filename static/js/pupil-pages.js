/* Pages of tiles or rules that fit one iPad screen, with big Back and More arrows.
 *
 * The server draws the page asked for (?page=): a list marked data-pages="FIRST,LATER" and
 * data-page="N" with the other pages' items hidden, and Back and More (links to the pages
 * either side) in the row named by data-pages-nav. So the first paint is the final layout, and
 * a pupil with no script still reaches every item. This turns the pages in place instead, with
 * no new page: the same arrows, in the same places, each page's items shown.
 */
(function () {
  "use strict";

  function paginate(list) {
    var sizes = list.getAttribute("data-pages").split(",").map(function (n) { return parseInt(n, 10); });
    var items = Array.prototype.slice.call(list.children);
    var nav = document.getElementById(list.getAttribute("data-pages-nav"));
    var back = nav && nav.querySelector(".page-back");
    var more = nav && nav.querySelector(".page-more");
    if (!back || !more) { return; }  // one page: the server drew no arrows
    var page = (parseInt(list.getAttribute("data-page"), 10) || 1) - 1;
    // Each arrow's link, for the page it leads to (the server's own, kept as pages turn).
    var base = new URL(window.location.href);

    function bounds(n) {
      var start = n === 0 ? 0 : sizes[0] + (n - 1) * sizes[1];
      return [start, n === 0 ? sizes[0] : start + sizes[1]];
    }

    function lead(arrow, n, nowhere) {
      // An arrow that leads nowhere keeps its place but is not there to see, tap, scan, hear or
      // Tab to (visibility: hidden): so More, Back and what follows never move between pages,
      // and a hand or switch that learnt where More is finds it there on every page.
      arrow.classList.toggle("page-arrow-spare", nowhere);
      if (nowhere) {
        arrow.removeAttribute("href");
      } else {
        base.searchParams.set("page", String(n + 1));
        if (n === 0) { base.searchParams.delete("page"); }
        arrow.setAttribute("href", base.pathname + base.search);
      }
    }

    function show(n) {
      page = n;
      var range = bounds(n);
      items.forEach(function (item, i) {
        var hidden = i < range[0] || i >= range[1];
        if (item.hidden !== hidden) { item.hidden = hidden; }
      });
      lead(back, n - 1, n === 0);
      lead(more, n + 1, range[1] >= items.length);
      document.dispatchEvent(new CustomEvent("classroom:screen", { detail: list }));
    }

    function turn(by, pressed, event) {
      event.preventDefault();  // the page turns here: no new page to wait for
      if (pressed.classList.contains("page-arrow-spare")) { return; }
      show(page + by);
      // The arrow pressed may have gone (no more pages): keep focus on this page's first item.
      if (pressed.classList.contains("page-arrow-spare") || document.activeElement === document.body) {
        var first = items[bounds(page)[0]].querySelector("a, button");
        if (first) { first.focus(); }
      }
    }
    back.addEventListener("click", function (event) { turn(-1, back, event); });
    more.addEventListener("click", function (event) { turn(1, more, event); });
    show(page);
  }

  document.querySelectorAll("[data-pages]").forEach(paginate);
})();
