/* The character count (the GOV.UK pattern) for every box with a limit: data-count-max="2000".
   Boxes have no maxlength, which cuts pasted text short without a word; instead this says under
   the box "You have 12 characters remaining", or "You have 3 characters too many" as a problem,
   and the server refuses text over the limit and gives all of it back to shorten.
   Without JavaScript the hint under the box ("You can enter up to 2,000 characters") and the
   server's check still work. The hint stays the box's description for screen readers; the count
   is told to them politely (an aria-live region), a moment after typing stops, not every key.
   Counted as the server counts: a line break is one character (web.TextRequest), so is an
   emoji (Python counts code points, not UTF-16 units). */
(function () {
  "use strict";
  var WAIT_MS = 750;

  function characters(text) {
    var plain = text.replace(/\r\n?/g, "\n").replace(/\u0000/g, "");
    var count = 0;
    for (var i = 0; i < plain.length; i += 1) {
      var unit = plain.charCodeAt(i);
      // A high surrogate followed by a low one is one character.
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < plain.length) {
        var next = plain.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) { i += 1; }
      }
      count += 1;
    }
    return count;
  }

  function words(left) {
    var n = Math.abs(left);
    var noun = n === 1 ? " character " : " characters ";
    return "You have " + n.toLocaleString("en-GB") + noun + (left < 0 ? "too many" : "remaining");
  }

  function countFor(box) {
    var limit = parseInt(box.getAttribute("data-count-max"), 10);
    if (!(limit > 0) || box.hasAttribute("data-counting")) { return; }
    box.setAttribute("data-counting", "");
    var hint = box.id ? document.getElementById(box.id + "-count-hint") : null;
    // What the eye reads: shown, but not read out (the hint describes the box, and the live
    // region below says the count), so a screen reader hears each once.
    var shown = document.createElement("p");
    shown.className = "count-message";
    shown.setAttribute("aria-hidden", "true");
    var told = document.createElement("p");
    told.className = "visually-hidden";
    told.setAttribute("aria-live", "polite");
    (hint || box).insertAdjacentElement("afterend", shown);
    shown.insertAdjacentElement("afterend", told);
    if (hint) { hint.classList.add("visually-hidden"); }
    var timer = null;

    // A box whose limit few ever come near (a lesson editor's short boxes: hundreds on one
    // page) says its count only from data-count-threshold per cent of the limit, as GOV.UK's
    // count does: a page of "You have 300 characters remaining" is noise.
    var threshold = parseInt(box.getAttribute("data-count-threshold") || "0", 10) / 100;

    function update() {
      var used = characters(box.value);
      var left = limit - used;
      shown.textContent = used >= limit * threshold ? words(left) : "";
      shown.hidden = !shown.textContent;
      shown.classList.toggle("count-over", left < 0);
      box.classList.toggle("count-over-box", left < 0);
    }

    box.addEventListener("input", function () {
      update();
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { told.textContent = shown.textContent; }, WAIT_MS);
    });
    update();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-count-max]"), countFor);
})();
