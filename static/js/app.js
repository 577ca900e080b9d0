/* Small progressive behaviour shared by every page. No framework; nothing inline (CSP). */
(function () {
  "use strict";

  // A page restored from the back-forward cache may belong to the previous person on a shared
  // iPad: always fetch it again, and the server decides what (if anything) to show.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });

  // Pupil sessions end after a few idle minutes; the server enforces it, and this returns the
  // iPad to the class tiles so the next pupil never sees the last one's screen.
  var body = document.body;
  var idleMinutes = parseFloat(body.getAttribute("data-idle-minutes") || "0");
  var finished = document.getElementById("finished-form");
  if (idleMinutes > 0 && finished) {
    var timer = null;
    var reset = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { finished.submit(); }, idleMinutes * 60 * 1000);
    };
    ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    reset();
  }
})();
