/* Small progressive behaviour shared by every page. No framework; nothing inline (CSP). */
(function () {
  "use strict";

  // A page restored from the back-forward cache may belong to the previous person on a shared
  // iPad: always fetch it again, and the server decides what (if anything) to show.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  // Finishing (or timing out) ends the session and *replaces* this history entry with the class
  // tiles, so the next pupil cannot step Back into this pupil's screens. Without fetch, or if
  // the network fails, the plain form still signs the pupil out.
  var body = document.body;
  var finished = document.getElementById("finished-form");
  var waiting = document.getElementById("finish-waiting");
  var RETRY_MS = 5000;
  function finish() {
    if (!finished) { return; }
    if (!window.fetch || !window.FormData) { finished.submit(); return; }
    window.fetch(finished.action, {
      method: "POST", body: new FormData(finished), credentials: "same-origin", redirect: "manual"
    }).then(function () {
      window.location.replace(finished.getAttribute("data-start-url"));
    }, function () {
      // No network: the server still has the pupil signed in. Cover the screen (the next child
      // must not go on as this one), say so, and try again until the server has ended it.
      if (!waiting) { finished.submit(); return; }
      waitForNetwork();
      window.setTimeout(finish, RETRY_MS);
    });
  }
  function waitForNetwork() {
    if (!waiting.hidden) { return; }
    var confirmBox = document.getElementById("finish-confirm");
    if (confirmBox) { confirmBox.hidden = true; }
    Array.prototype.forEach.call(body.children, function (el) {
      if (el !== waiting) { el.setAttribute("inert", ""); }
    });
    waiting.hidden = false;
    var words = waiting.querySelector(".sym-text");
    if (words) { words.setAttribute("tabindex", "-1"); words.focus(); }
    document.dispatchEvent(new CustomEvent("classroom:screen", { detail: waiting }));
  }
  window.classroomFinish = finish;

  // Pupil sessions end after a few idle minutes; the server enforces it, and this returns the
  // iPad to the class tiles so the next pupil never sees the last one's screen. A screen may keep
  // something first (worry.js: a worry half made is sent, not lost).
  var idleMinutes = parseFloat(body.getAttribute("data-idle-minutes") || "0");
  var idle = function () {
    var keep = window.classroomBeforeIdle;
    var kept = keep ? keep() : null;
    if (kept && kept.then) { kept.then(finish, finish); } else { finish(); }
  };
  // Before sign-in (a picture password half tapped) there is no session to end: the screen
  // goes back to the class tiles, and what was tapped goes with it.
  var leave = body.getAttribute("data-idle-leave");
  if (leave && !finished) { idle = function () { window.location.replace(leave); }; }
  if (idleMinutes > 0 && (finished || leave)) {
    var timer = null;
    var reset = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(idle, idleMinutes * 60 * 1000);
    };
    ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    reset();
  }
  // Finished asks "Are you finished?" first (Yes signs out, No goes back to the screen). While
  // it shows it is the whole page: everything behind is inert, Tab goes round its own stops, and
  // Escape or No closes it and gives focus back to Finished.
  var confirmBox = document.getElementById("finish-confirm");
  var opener = null;
  var madeInert = [];  // what opening the question made inert; closing it frees them again
  function inertBehind(on) {
    if (on) {
      madeInert = Array.prototype.filter.call(body.children, function (el) {
        return !el.contains(confirmBox) && !el.hasAttribute("inert");
      });
      madeInert.forEach(function (el) { el.setAttribute("inert", ""); });
    } else {
      madeInert.forEach(function (el) { el.removeAttribute("inert"); });
      madeInert = [];
    }
  }
  function closeConfirm() {
    confirmBox.hidden = true;
    inertBehind(false);
    if (opener) { opener.focus(); }
    document.dispatchEvent(new CustomEvent("classroom:screen", { detail: document.getElementById("main") }));
  }
  function keepFocusInConfirm(event) {
    if (confirmBox.hidden) { return; }
    if (event.key === "Escape") { event.preventDefault(); closeConfirm(); return; }
    if (event.key !== "Tab") { return; }
    var stops = Array.prototype.filter.call(confirmBox.querySelectorAll("button, [href], [tabindex]"),
      function (el) { return el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0; });
    if (!stops.length) { return; }
    // On the question (not a stop) Tab goes to the first answer and Shift+Tab to the last.
    var at = document.activeElement, inside = stops.indexOf(at) >= 0;
    if (event.shiftKey && (!inside || at === stops[0])) {
      event.preventDefault();
      stops[stops.length - 1].focus();
    } else if (!event.shiftKey && (!inside || at === stops[stops.length - 1])) {
      event.preventDefault();
      stops[0].focus();
    }
  }
  if (finished) {
    finished.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!confirmBox) { finish(); return; }
      opener = finished.querySelector("button");
      confirmBox.hidden = false;
      inertBehind(true);
      // The question, not Yes: nothing is chosen for the pupil, so a second Enter (or a switch
      // pressed twice) never signs them out. A screen reader hears the question first.
      var question = confirmBox.querySelector(".sym-text");
      question.setAttribute("tabindex", "-1");
      question.focus();
      var read = confirmBox.querySelector("[data-read-to-me]");
      if (read && body.getAttribute("data-auto-read") === "true") { read.click(); }
      document.dispatchEvent(new CustomEvent("classroom:screen", { detail: confirmBox }));
    });
  }
  if (confirmBox) {
    confirmBox.querySelector("[data-confirm-finish]").addEventListener("click", finish);
    confirmBox.querySelector("[data-cancel-finish]").addEventListener("click", closeConfirm);
    document.addEventListener("keydown", keepFocusInConfirm);
  }

  // A box that scrolls sideways is a tab stop, so a keyboard can scroll it (templates/_macros/
  // scroll.html); a box whose table fits is not, so Tab never stops where there is nothing to
  // scroll. Without script every box stays a tab stop.
  function tabStopsWhereScrolling() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-scroll"), function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else if (box !== document.activeElement) {
        box.removeAttribute("tabindex");
      }
    });
  }
  tabStopsWhereScrolling();
  window.addEventListener("load", tabStopsWhereScrolling);  // once fonts and pictures are in
  window.addEventListener("resize", tabStopsWhereScrolling);

  // A tap on this screen found no server (the Wi-Fi up, the school's server down or out of
  // reach): the service worker asks whether this screen can say so, and if it can, answers the
  // tap with "no content", which leaves the browser here (not on its own error page). The
  // screen's scripts listen for "classroom:unreachable" (detail: url, method) and take the event
  // (preventDefault) if it is theirs: worry-outbox.js (Report a worry), player.js (a lesson tap),
  // then noServer below (any other pupil tap). Only the screen in front answers.
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {}, port = event.ports && event.ports[0];
      if (data.type !== "classroom:unreachable" || !port) { return; }
      var shown = false;
      if (document.visibilityState === "visible") {
        var told = new CustomEvent("classroom:unreachable",
          { cancelable: true, detail: { url: String(data.url), method: String(data.method) } });
        document.dispatchEvent(told);
        shown = told.defaultPrevented || noServer(told.detail);
      }
      port.postMessage(shown ? "shown" : "not shown");
    });
    if (navigator.serviceWorker.startMessages) { navigator.serviceWorker.startMessages(); }
  }

  /* Any other pupil tap (Home, My lessons, Our rules) with no server: the screen gives way to
   * "No internet. Ask an adult." in symbols and speech, as a lesson's does (templates/ipad/
   * _chrome.html, no_internet; static/css/pupil-layout.css), with Report a worry and Finished
   * where they are; the tap is made once the server answers again. A page (GET) only: a form
   * posted elsewhere is not posted again unasked, and the browser says what it says. */
  var offlineScreen = document.getElementById("no-internet");
  var main = document.getElementById("main");
  var waitingFor = null, again = null;
  // Its pictures fetched now, while the server answers, so the service worker has them then.
  if (offlineScreen && navigator.onLine !== false) {
    Array.prototype.forEach.call(offlineScreen.content.querySelectorAll("img[src]"),
      function (img) { new Image().src = img.getAttribute("src"); });
  }
  function noServer(detail) {
    // A lesson screen has its own (player.js): never a second one beside it.
    if (!offlineScreen || !main || detail.method !== "GET" || !window.fetch ||
        (waitingFor === null && document.getElementById("lesson-offline"))) {
      return false;
    }
    var screen = offlineScreen.content.firstElementChild;
    if (waitingFor === null) {
      screen = screen.cloneNode(true);
      Array.prototype.forEach.call(main.children, function (el) { el.hidden = true; });
      main.appendChild(screen);
      screen.hidden = false;
      body.setAttribute("data-offline", "1");
      document.dispatchEvent(new CustomEvent("classroom:screen", { detail: screen }));
    }
    waitingFor = detail.url;
    if (again === null) { again = window.setTimeout(tryAgain, RETRY_MS); }
    return true;
  }
  function tryAgain() {
    var check = offlineScreen.content.firstElementChild.getAttribute("data-check-url");
    window.fetch(check, { cache: "no-store", credentials: "same-origin" }).then(function () {
      again = null;  // the server answers: the tap goes (and comes back here if it fails again)
      window.location.assign(waitingFor);
    }, function () {
      again = window.setTimeout(tryAgain, RETRY_MS);
    });
  }

  // The class iPad's service worker (static/js/service-worker.js): only pupil pages name it.
  // It caches files, never pages; without it the app works exactly as a plain web page.
  var worker = document.querySelector('meta[name="classroom-service-worker"]');
  if (worker && navigator.serviceWorker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(worker.getAttribute("content"), { scope: "/" })
        .catch(function () { return null; });
    });
  }
})();
