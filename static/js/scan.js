/* Switch scanning on pupil screens. Most switches act as a keyboard sending Space and Enter.
 *
 *   <body data-scanning="off|auto|step" data-scan-interval="2000">
 *
 * Step: Space moves the highlight to the next item, Enter selects it (two switches).
 * Auto: the highlight moves on its own every interval; Space or Enter selects (one switch).
 * Items are what a pupil can act on (buttons, links, choice cards, fields), in page order,
 * wrapping round, skipping anything hidden or disabled. The highlight is real focus plus a
 * thick ring (static/css/symbols.css), and it jumps without animation. Word buttons are left
 * out: "Read to me" says the whole screen, and stopping on every word would multiply the
 * presses a switch user needs. With scanning off this does nothing: Tab, Space and Enter work
 * as they always do. No framework; nothing inline (CSP).
 */
(function () {
  "use strict";
  var body = document.body;
  var mode = body.getAttribute("data-scanning");
  if (mode !== "step" && mode !== "auto") { return; }

  var ITEMS = "a[href], button, input:not([type=hidden]), select, textarea, [role=button]";
  var SKIP = ".sym-word, [tabindex='-1'], [aria-hidden=true] *, [inert] *";
  var TEXT_FIELDS = "textarea, input:not([type]), input[type=text], input[type=search]";
  var RING = "scan-focus";
  var interval = Math.max(500, Math.min(10000,
    parseInt(body.getAttribute("data-scan-interval") || "", 10) || 2000));
  var current = null;  // the highlighted item
  var typing = null;   // a text field the pupil chose with Enter: keys go to it until Escape
  var timer = null;
  var speechDue = 0;   // after "Read to me", wait this long (ms since epoch) for speech to start

  function usable(el) {
    if (!el || !el.isConnected || !el.matches(ITEMS) || el.matches(SKIP)) { return false; }
    if (el.matches(":disabled") || el.closest("[hidden]")) { return false; }
    return el.getClientRects().length > 0 && window.getComputedStyle(el).visibility !== "hidden";
  }

  function items() {
    // An open dialog ("Are you finished?") is the whole screen until it closes.
    var root = document.querySelector("[role=dialog]:not([hidden])") || document;
    return Array.prototype.filter.call(root.querySelectorAll(ITEMS), usable);
  }

  function highlight(el) {
    if (current && current !== el) { current.classList.remove(RING); }
    current = el;
    if (!el) { return; }
    el.classList.add(RING);
    if (document.activeElement !== el) { el.focus({ preventScroll: true }); }
    // Instant, never smooth: scanning must not animate, and the ring must always be in view.
    if (el.scrollIntoView) { el.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  }

  function move() {
    var list = items();
    if (!list.length) { highlight(null); return; }
    var at = list.indexOf(current);
    highlight(list[(at + 1) % list.length]);
  }

  function startTyping(field) {
    typing = field;
    stopTimer();
    field.focus();
  }

  function stopTyping() {
    typing = null;
    startTimer();
  }

  function select() {
    var el = usable(current) ? current : null;
    if (!el) { move(); return; }
    if (el.matches(TEXT_FIELDS)) { startTyping(el); return; }
    // The clip may take a moment to arrive: hold the highlight until speech starts.
    speechDue = el.matches("[data-read-to-me]") ? Date.now() + 3000 : 0;
    startTimer();  // a full interval on whatever the choice leads to
    el.click();
  }

  /* --- Auto-scan: wait while speech is playing, so the pupil can hear before moving on. --- */

  function speaking() {
    return document.querySelector(".speaking, .is-reading") !== null;
  }

  function tick() {
    if (speaking()) { speechDue = 0; return; }
    if (typing || document.hidden || Date.now() < speechDue) { return; }
    move();
  }

  function stopTimer() {
    if (timer) { window.clearInterval(timer); timer = null; }
  }

  function startTimer() {
    stopTimer();
    if (mode === "auto" && !typing) { timer = window.setInterval(tick, interval); }
  }

  /* --- Keys ----------------------------------------------------------------------------- */

  function isSpace(event) { return event.key === " " || event.key === "Spacebar"; }

  function onKeyDown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (typing) {
      if (event.key === "Escape") { event.preventDefault(); stopTyping(); }
      return;
    }
    if (!isSpace(event) && event.key !== "Enter") { return; }
    event.preventDefault();  // no scrolling, no native click: this script decides
    if (event.repeat) { return; }  // a held switch must not race through the screen
    if (mode === "step" && isSpace(event)) { move(); } else { select(); }
  }

  function onKeyUp(event) {
    // Browsers click a button when Space comes up; the keydown already did what was meant.
    if (!typing && isSpace(event)) { event.preventDefault(); }
  }

  /* --- The screen changes (a worry step, a new question): start again from its focus. --- */

  function rescan() {
    var focused = document.activeElement;
    if (typing && !usable(typing)) { typing = null; }
    if (usable(focused)) { highlight(focused); } else if (!usable(current)) { highlight(null); }
    startTimer();
  }

  var pending = false;
  function onMutation() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      if (current && !usable(current)) { rescan(); }
    });
  }

  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (typing && el !== typing) { typing = null; startTimer(); }
    if (usable(el) && el !== current) { highlight(el); }
  });
  document.addEventListener("focusout", function (event) {
    if (typing && event.target === typing) { stopTyping(); }
  });
  document.addEventListener("keydown", onKeyDown, true);
  document.addEventListener("keyup", onKeyUp, true);
  document.addEventListener("classroom:screen", rescan);
  if ("MutationObserver" in window) {
    new MutationObserver(onMutation).observe(body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["hidden", "disabled", "inert", "aria-hidden"]
    });
  }

  body.classList.add("scanning");
  window.classroomScan = { mode: mode, interval: interval, move: move, select: select };
  rescan();
})();
