/* Switch scanning on pupil screens. Most switches act as a keyboard sending Space and Enter.
 *
 *   <body data-scanning="off|auto|step" data-scan-interval="2000" data-auditory-scanning="true">
 *
 * Step: Space moves the highlight to the next item, Enter selects it (two switches).
 * Auto: the highlight moves on its own every interval; Space or Enter selects (one switch).
 * Items are what a pupil can act on (buttons, links, choice cards, fields), skipping anything
 * hidden or disabled. The highlight is real focus plus a thick ring (static/css/symbols.css),
 * and it jumps without animation. Word buttons are left out: "Read to me" says the whole
 * screen, and stopping on every word would multiply the presses a switch user needs.
 *
 * Group scanning, the same on every screen, so "Report a worry" is always the third stop:
 *   1. the screen's content (answer cards, lesson tiles, a text field; on a screen with nothing
 *      to choose, its first control: Start or Next),
 *   2. its controls (Next or Start first, then Read to me, My lessons, More ...),
 *   3. Report a worry (or "Not now" inside the worry flow),
 *   4. Finished.
 * A new screen starts on the content group with all of it ringed. Selecting a group of one
 * acts at once (Report a worry, Finished, a lone Next); selecting a bigger group scans inside
 * it, and moving past its last item goes on to the next group. An open dialog ("Are you
 * finished?") or a screen with one group is scanned item by item.
 *
 * A text box (the worry flow's "Do you want to say more?") is chosen like anything else; then
 * keys type into it and scanning waits. A switch can always get out again: Space or Enter
 * pressed before anything is typed, or straight after another Space or Enter, is a switch press,
 * not typing. It leaves the box and moves the highlight on (one switch: press again; two
 * switches: either one). So a pupil who types still types single spaces and new lines; a letter
 * typed in a highlighted box starts typing too. Escape (a keyboard) and Tab leave it as well.
 *
 * Auditory scanning: as the highlight reaches a group or item a short cue sounds (a lower
 * note for a group, a higher one for an item), then its words are spoken with the screen's
 * speech (static/js/speech.js); auto-scan waits until they have been said.
 *
 * The class iPads' tiles screen (data-scan-wake="press") is shared by pupils who tap and pupils
 * who use switches, before anyone is signed in: it keeps still and quiet until a switch is
 * pressed. That first press only wakes the scan (the content is ringed and said); after three
 * times round with nothing chosen the ring goes and the screen waits for a press again. Links
 * for staff (data-no-scan) are never a stop.
 *
 * A keyboard user moves focus themselves, with Tab. Space or Enter on what they reached by Tab
 * acts on it at once, on any screen, asleep or awake: the tile they reached signs them in, Read
 * to me reads, a sentence says itself, Staff sign in opens. Only a press with nothing focused
 * by the person (a switch's) wakes the scan, selects or moves the highlight as above. On the
 * tiles screen a Tabbed focus is let go after 30 s with no Tab: the next child's switch press
 * then wakes the scan, and never signs in the tile someone else left focused.
 *
 * With scanning off only the last part applies: each symbol sentence is one Tab stop (its
 * word buttons stay tappable by touch) and Enter or Space on it reads it aloud; a sentence that
 * is hidden for screen readers only is never a stop. Space follows a link as Enter does; Tab,
 * Space and Enter otherwise work as they always do. No framework; nothing inline (CSP).
 */
(function () {
  "use strict";
  var body = document.body;

  /* --- Keyboard users: one Tab stop per sentence, not one per word. ------------------------ */

  // Hidden for screen readers only (a clipped box of 1 px, like the worry flow's title): focus
  // there would vanish from the screen. A step not shown yet (display: none) is not this.
  function visuallyHidden(el) {
    for (; el && el !== body; el = el.parentElement) {
      var style = window.getComputedStyle(el);
      if (style.clipPath === "inset(50%)" || style.clip === "rect(0px, 0px, 0px, 0px)") { return true; }
      if (style.overflow === "hidden" && parseFloat(style.width) <= 1 && parseFloat(style.height) <= 1) {
        return true;
      }
    }
    return false;
  }

  function oneStopPerSentence() {
    Array.prototype.forEach.call(document.querySelectorAll(".sym-text"), function (sentence) {
      var words = sentence.querySelectorAll(".sym-word");
      // Words inside a control are already part of that one control.
      if (!words.length || sentence.closest("a, button, label, [role=button]")) { return; }
      Array.prototype.forEach.call(words, function (word) { word.setAttribute("tabindex", "-1"); });
      if (visuallyHidden(sentence)) { return; }  // a screen reader still reads it; Tab never stops
      if (!sentence.hasAttribute("tabindex")) { sentence.setAttribute("tabindex", "0"); }
      sentence.classList.add("sym-stop");
    });
  }

  function readSentence(event) {
    var sentence = event.target;
    if (!(sentence instanceof Element) || !sentence.classList.contains("sym-stop")) { return; }
    if (event.key !== "Enter" && event.key !== " " && event.key !== "Spacebar") { return; }
    event.preventDefault();
    var speech = window.classroomSpeech;
    if (speech && !event.repeat) {
      speech.speak(sentence.getAttribute("data-say") || sentence.textContent, sentence);
    }
  }

  // Space on a link (a lesson tile, Report a worry, My lessons) follows it, as Enter does: a
  // switch sending Space, or a pupil who learnt Space on buttons, is never met by nothing.
  function followLink(event) {
    var link = event.target;
    if (event.key !== " " && event.key !== "Spacebar") { return; }
    if (!(link instanceof Element) || !link.matches("a[href]") || event.repeat) { return; }
    event.preventDefault();
    link.click();
  }

  oneStopPerSentence();
  document.addEventListener("keydown", readSentence);

  var mode = body.getAttribute("data-scanning");
  if (mode !== "step" && mode !== "auto") {
    document.addEventListener("keydown", followLink);
    return;
  }

  var ITEMS = "a[href], button, input:not([type=hidden]), select, textarea, [role=button]";
  var SKIP = ".sym-word, [tabindex='-1'], [aria-hidden=true] *, [inert] *, [data-no-scan]";
  var TEXT_FIELDS = "textarea, input:not([type]), input[type=text], input[type=search]";
  var RING = "scan-focus";
  var interval = Math.max(500, Math.min(10000,
    parseInt(body.getAttribute("data-scan-interval") || "", 10) || 2000));
  var current = null;  // the highlighted item
  var typing = null;   // a text field the pupil chose: keys type into it (typeOrLeave)
  var typedLast = null;  // in it: null (nothing yet), "text", or "press" (Space or Enter)
  var timer = null;
  var speechDue = 0;   // after "Read to me", wait this long (ms since epoch) for speech to start
  var auditory = body.getAttribute("data-auditory-scanning") === "true";
  var GROUPS = ["content", "controls", "worry", "finish"];
  var level = "groups";  // "groups": whole groups are highlighted; "items": one item in a group
  var groupName = null;  // the group highlighted, or the one being scanned inside
  var ringed = [];       // every element wearing the ring now
  var wakes = body.getAttribute("data-scan-wake") === "press";
  var asleep = wakes;    // waiting for a first press (the tiles screen)
  var rounds = 0;        // times round every group since the last press
  var ROUNDS_AWAKE = 3;
  var tabbing = false;   // Tab was just pressed: the focus it moves is the person's own
  var tabbed = null;     // what the person reached with Tab, while it keeps the focus
  // On the tiles screen, what a person reached by Tab is theirs for this long: an adult who
  // Tabbed to a tile and walked away must not leave it for the next child's switch to sign in.
  var OWN_FOCUS_MS = 30000;
  var forgetTimer = null;

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

  function dialogOpen() {
    return document.querySelector("[role=dialog]:not([hidden])") !== null;
  }

  function groupOf(el) {
    var marked = el.closest("[data-scan-group]");
    if (marked) { return marked.getAttribute("data-scan-group"); }
    if (el.closest("#finished-form")) { return "finish"; }
    if (el.closest(".worry-rail")) { return "worry"; }
    if (el.matches("[data-read-to-me], .pupil-button")) { return "controls"; }
    return "content";
  }

  // The screen's items in groups, in scan order; one group "all" in a dialog.
  function groups() {
    var list = items();
    if (dialogOpen()) { return list.length ? [{ name: "all", items: list }] : []; }
    var byName = {};
    list.forEach(function (el) {
      var name = groupOf(el);
      (byName[name] = byName[name] || []).push(el);
    });
    if (byName.controls) {
      // The primary action (Next, Start, Send) first: it is what the pupil most often wants.
      var primary = byName.controls.filter(function (el) { return el.matches(".big-next, [data-send]"); });
      byName.controls = primary.concat(byName.controls.filter(function (el) { return primary.indexOf(el) < 0; }));
      // A screen with nothing to choose (a lesson's start, a story, Our rules): its first
      // control (Start, Next) stands in the content's place, so Report a worry stays third.
      if (!byName.content && byName.controls.length > 1) { byName.content = [byName.controls.shift()]; }
    }
    return GROUPS.filter(function (name) { return byName[name]; }).map(function (name) {
      return { name: name, items: byName[name] };
    });
  }

  function findGroup(list, name) {
    for (var i = 0; i < list.length; i++) { if (list[i].name === name) { return i; } }
    return -1;
  }

  function nameOf(el) {
    // data-hear: what a card or tile says when heard before choosing (static/js/choosing.js).
    return (el.getAttribute("aria-label") || el.getAttribute("data-hear") ||
      el.getAttribute("data-say") || el.textContent || "")
      .replace(/\s+/g, " ").trim();
  }

  function groupWords(group) {
    var marked = group.items[0].closest("[data-scan-name]");
    if (marked) { return marked.getAttribute("data-scan-name"); }
    if (group.items.length === 1) { return nameOf(group.items[0]); }
    if (group.name === "content") { return "Choices"; }
    return group.items.map(nameOf).join(", ");
  }

  function ring(list) {
    ringed.forEach(function (el) { if (list.indexOf(el) < 0) { el.classList.remove(RING); } });
    list.forEach(function (el) { el.classList.add(RING); });
    ringed = list.slice();
  }

  function highlight(el) {
    current = el;
    ring(el ? [el] : []);
    if (!el) { return; }
    if (document.activeElement !== el) { el.focus({ preventScroll: true }); }
    // Instant, never smooth: scanning must not animate, and the ring must always be in view.
    if (el.scrollIntoView) { el.scrollIntoView({ block: "nearest", inline: "nearest" }); }
  }

  function showItem(el, name) {
    level = "items";
    groupName = name;
    highlight(el);
    announce(nameOf(el), ITEM_NOTE);
  }

  function showGroup(group) {
    level = "groups";
    groupName = group.name;
    highlight(group.items[0]);  // focus stays on a real control; the ring shows the group
    ring(group.items);
    announce(groupWords(group), GROUP_NOTE);
  }

  function move() {
    var list = groups();
    if (!list.length) { highlight(null); return; }
    var at = findGroup(list, groupName);
    if (list.length === 1 || level === "items") {
      var inside = list[Math.max(at, 0)];
      var i = inside.items.indexOf(current);
      if (list.length === 1 || (at >= 0 && i + 1 < inside.items.length)) {
        if (i + 1 >= inside.items.length && wakes && ++rounds >= ROUNDS_AWAKE) { sleep(); return; }
        showItem(inside.items[(i + 1) % inside.items.length], inside.name);
        return;
      }
    }
    if (at + 1 >= list.length && wakes && ++rounds >= ROUNDS_AWAKE) { sleep(); return; }
    showGroup(list[(at + 1) % list.length]);  // past a group's last item: on to the next group
  }

  // The tiles screen after three rounds with nothing chosen: still and quiet until a press.
  function sleep() {
    asleep = true;
    stopTimer();
    highlight(null);
    if (document.activeElement && document.activeElement !== body) { document.activeElement.blur(); }
  }

  function wake() {
    asleep = false;
    rounds = 0;
    rescan();
  }

  // Selecting a ringed group of several: scan inside it. True when that is what happened.
  function enterGroup() {
    if (level !== "groups") { return false; }
    var list = groups();
    var group = list[findGroup(list, groupName)];
    if (!group || group.items.length < 2 || list.length < 2) { return false; }
    showItem(group.items[0], group.name);
    return true;
  }

  /* --- Auditory scanning: a cue, then the words, through the screen's own speech. ---------- */

  var GROUP_NOTE = 523;  // C5: a whole group
  var ITEM_NOTE = 784;   // G5: one item
  var CUE_MS = 120;
  var sound = null;
  var pendingWords = null;
  var announcedAt = 0;

  function cue(note) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      sound = sound || new Context();
      if (sound.state === "suspended") { sound.resume(); }
      var tone = sound.createOscillator(), volume = sound.createGain(), at = sound.currentTime;
      tone.frequency.value = note;
      volume.gain.setValueAtTime(0.2, at);
      volume.gain.exponentialRampToValueAtTime(0.001, at + CUE_MS / 1000);
      tone.connect(volume);
      volume.connect(sound.destination);
      tone.start(at);
      tone.stop(at + CUE_MS / 1000);
    } catch (error) {
      return;  // no sound device: the words still follow
    }
    document.dispatchEvent(new CustomEvent("classroom:scan-cue", { detail: { note: note } }));
  }

  function announce(words, note) {
    if (!auditory || !words) { return; }
    if (pendingWords) { window.clearTimeout(pendingWords); }
    cue(note);
    announcedAt = Date.now();
    speechDue = announcedAt + 5000;  // auto-scan holds until the words start (then until they end)
    pendingWords = window.setTimeout(function () {
      pendingWords = null;
      var speech = window.classroomSpeech;
      if (!speech) { speechDue = 0; return; }
      speech.speak(words).then(function (handle) {
        // Started: busy() holds the scan while the words play. Not waiting out speechDue too,
        // or short words ("Sam") held every item about five seconds whatever the interval.
        speechDue = 0;
        if (!handle) { return; }
        // Once said, a whole interval from the end of the words to press, not what is left of
        // the one running (0 for words that ended just before a tick).
        if (handle.finished) { startTimer(); } else { handle.done = startTimer; }
      }, function () { speechDue = 0; });
    }, CUE_MS);
  }

  function startTyping(field) {
    typing = field;
    typedLast = null;
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
    if (enterGroup()) { startTimer(); return; }
    announcedAt = 0;
    if (el.matches(TEXT_FIELDS)) { startTyping(el); return; }
    // The clip may take a moment to arrive: hold the highlight until speech starts.
    speechDue = el.matches("[data-read-to-me]") ? Date.now() + 3000 : 0;
    startTimer();  // a full interval on whatever the choice leads to
    el.click();
  }

  /* --- Auto-scan: wait while speech is playing, so the pupil can hear before moving on. --- */

  function speaking() {
    var speech = window.classroomSpeech;
    return document.querySelector(".speaking, .is-reading") !== null ||
      Boolean(speech && speech.busy && speech.busy());
  }

  function tick() {
    // An item's spoken name that never ends (a stalled device voice) must not stop the scan.
    var stalled = announcedAt && Date.now() - announcedAt > 15000;
    if (speaking() && !stalled) { speechDue = 0; return; }
    if (typing || document.hidden || Date.now() < speechDue) { return; }
    move();
  }

  function stopTimer() {
    if (timer) { window.clearInterval(timer); timer = null; }
  }

  function startTimer() {
    stopTimer();
    if (mode === "auto" && !typing && !asleep) { timer = window.setInterval(tick, interval); }
  }

  /* --- Keys ----------------------------------------------------------------------------- */

  function isSpace(event) { return event.key === " " || event.key === "Spacebar"; }

  // In a chosen text box keys type, but a switch must always get out: Space or Enter before
  // anything is typed, or straight after another Space or Enter, is a switch press. It leaves
  // the box and moves on, typing nothing. A typist's single spaces and new lines still type.
  function typeOrLeave(event) {
    var press = isSpace(event) || event.key === "Enter";
    if (event.key === "Escape" || (press && typedLast !== "text" && !event.isComposing)) {
      event.preventDefault();
      if (event.repeat) { return; }  // a held switch neither pours spaces in nor races on
      stopTyping();
      if (press) { move(); }
    } else if (press) {
      typedLast = "press";
    } else if (!/^(Shift|Control|Alt|AltGraph|Meta|CapsLock|Fn)$/.test(event.key)) {
      typedLast = "text";
    }
  }

  // What the person focused themselves with Tab, if it still has the focus.
  function ownFocus() {
    var el = document.activeElement;
    return tabbed && el === tabbed && el !== body ? el : null;
  }

  // Space or Enter on what the person reached with Tab: that, at once, as a switch choosing it
  // would (asleep, the scan itself keeps waiting for a switch). A text box takes the key as
  // typing. Anything else that takes focus (a sentence) is left to its own handler (readSentence).
  function actOn(el, event) {
    if (!el.matches(ITEMS)) { return; }
    if (el.matches(TEXT_FIELDS)) {
      if (!asleep && usable(el)) { startTyping(el); typedLast = "text"; }
      return;
    }
    event.preventDefault();  // no native click as well (Space's comes when it is let go)
    if (event.repeat) { return; }
    if (asleep || !usable(el)) { el.click(); return; }  // a link for staff is never a stop
    rounds = 0;
    level = "items";
    groupName = groupOf(el);
    current = el;
    ring([el]);
    select();
  }

  function onKeyDown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key === "Tab") {
      tabbing = true;  // Tab moves the focus straight after this handler, before any timer
      window.setTimeout(function () { tabbing = false; }, 0);
    }
    if (typing) { typeOrLeave(event); return; }
    if (!isSpace(event) && event.key !== "Enter") {
      // A letter typed in a highlighted (or tapped) text box: the pupil is typing there.
      var field = document.activeElement;
      if (event.key.length === 1 && field && field.matches(TEXT_FIELDS) && usable(field)) {
        startTyping(field);
        typedLast = "text";
      }
      return;
    }
    var own = ownFocus();
    if (own) { actOn(own, event); return; }
    event.preventDefault();  // no scrolling, no native click: this script decides
    if (event.repeat) { return; }  // a held switch must not race through the screen
    rounds = 0;
    if (asleep) { wake(); return; }  // the first press only wakes the scan
    if (mode === "step" && isSpace(event)) { move(); } else { select(); }
  }

  function onKeyUp(event) {
    // Browsers click a button when Space comes up; the keydown already did what was meant.
    if (!typing && isSpace(event)) { event.preventDefault(); }
  }

  /* --- The screen changes (a worry step, a new question): start again from its focus. --- */

  function rescan() {
    if (asleep) { return; }
    var focused = document.activeElement;
    if (typing && !usable(typing)) { typing = null; }
    var list = groups();
    if (!list.length) {
      highlight(null);
    } else if (list.length === 1) {
      var only = list[0].items;
      showItem(only.indexOf(focused) >= 0 ? focused : only[0], list[0].name);
    } else {
      showGroup(list[0]);  // every screen starts the same way: its content, as one group
    }
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

  // The tiles screen's focus, left by someone who Tabbed there and went: let it go, so the
  // next press is a switch's (it wakes the scan) and no tile looks chosen.
  function forgetOwnFocus() {
    forgetTimer = null;
    if (tabbed && document.activeElement === tabbed) { tabbed.blur(); }
    tabbed = null;
  }

  document.addEventListener("focusin", function (event) {
    var el = event.target;
    tabbed = tabbing ? el : null;  // the scan's own focus (highlight) is never the person's
    if (wakes) {
      window.clearTimeout(forgetTimer);
      forgetTimer = tabbed ? window.setTimeout(forgetOwnFocus, OWN_FOCUS_MS) : null;
    }
    if (typing && el !== typing) { typing = null; startTimer(); }
    // Focus moved by a touch or by the page: scan on from there, inside its group.
    if (!asleep && usable(el) && el !== current && ringed.indexOf(el) < 0) { showItem(el, groupOf(el)); }
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
