/* Pictures as big as the pupil's symbol size, wherever the screen has the room.
 *
 * pupil-layout.css caps the pictures of a lesson step (and a worry step) by the screen's height,
 * so that the densest screen still fits at the largest symbol size. Most screens have room to
 * spare, and a pupil who needs big pictures should have them there. On the element marked
 * data-fit this raises the caps a level at a time (classes fit-1 to fit-6, each a bigger --grow)
 * and keeps the largest level at which its scrolling box has nothing to scroll, side to side or
 * up and down. A picture never grows past the pupil's own size: that stays the limit in the
 * stylesheet. A screen that does not fit even with the caps (a long story scrolls in its own
 * area) keeps them.
 *
 * It fits again when the screen turns, when its content changes size (a message shown) and when
 * a page that shows one step at a time shows another (classroom:screen, from worry.js). Without
 * this script every screen keeps the caps, and still fits.
 */
(function () {
  "use strict";

  var LEVELS = 6;

  function fits(box) {
    return box.scrollHeight <= box.clientHeight && box.scrollWidth <= box.clientWidth;
  }

  function setLevel(el, level) {
    for (var i = 1; i <= LEVELS; i += 1) { el.classList.toggle("fit-" + i, i === level); }
  }

  // Bigger pictures never make a screen shorter, so the largest level that fits is found by
  // halving: three layouts, not six. Only a level just measured to fit is kept.
  function largestFit(el, box) {
    setLevel(el, 0);
    if (!fits(box)) { return 0; }
    var low = 0, high = LEVELS;
    while (low < high) {
      var middle = Math.ceil((low + high) / 2);
      setLevel(el, middle);
      if (fits(box)) { low = middle; } else { high = middle - 1; }
    }
    return low;
  }

  // A screen may stretch a part of itself (the worry flow's answer cards) into the room left
  // once it fits: it is measured as it would be without stretching, so that filling the room can
  // never hide a screen that does not fit, and stretches (class fits-screen) only if it fits.
  function fit(el, box) {
    el.classList.remove("fits-screen");
    var level = largestFit(el, box);
    setLevel(el, level);
    el.classList.toggle("fits-screen", fits(box));
    // What was fitted, to what: for anyone checking the screen (and the browser tests).
    el.setAttribute("data-fit-level", String(level));
    el.setAttribute("data-fit-box", box.clientWidth + "x" + box.clientHeight);
  }

  function watch(el) {
    var box = el.closest(".pupil-main") || document.scrollingElement;
    fit(el, box);
    if (!window.ResizeObserver) { return; }
    var waiting = false;
    // Our own change of level settles at once (the same content gives the same level), so this
    // runs at most once more after each real change.
    var observer = new ResizeObserver(function () {
      if (waiting) { return; }
      waiting = true;
      window.requestAnimationFrame(function () { waiting = false; fit(el, box); });
    });
    observer.observe(box);
    Array.prototype.forEach.call(el.children, function (child) { observer.observe(child); });
  }

  // A page that shows its screens one at a time (the worry flow's steps) says when it shows
  // another: fitted before it is drawn, so the pupil never sees it at the last step's size.
  document.addEventListener("classroom:screen", function () {
    document.querySelectorAll("[data-fit][data-fit-level]").forEach(function (el) {
      fit(el, el.closest(".pupil-main") || document.scrollingElement);
    });
  });

  document.querySelectorAll("[data-fit]").forEach(watch);
})();
