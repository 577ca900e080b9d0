/* Pre-formal step kinds (issue 12): a sound that repeats until the pupil stops it, a reward
 * that plays only after a yes, and a "Go!" that appears after a short wait. Sounds come from
 * the player's own gentle Web Audio set (window.classroomSound, in player.js). Each element is
 * marked on the body once handled, so staff (and tests) can see what played.
 */
(function () {
  "use strict";

  function play(name) {
    if (window.classroomSound) { window.classroomSound(name); }
    document.body.setAttribute("data-played", name);
  }

  // Until I act: the sound repeats gently until the pupil presses Stop or Finished.
  document.querySelectorAll("[data-until-sound]").forEach(function (el) {
    var name = el.getAttribute("data-until-sound");
    play(name);
    var timer = window.setInterval(function () { play(name); }, 1500);
    document.querySelectorAll(".until-act").forEach(function (form) {
      form.addEventListener("submit", function () { window.clearInterval(timer); });
    });
    if (el.getAttribute("data-until-action") === "finish") { finishedMeansThisStep(); }
  });

  // "Press Finished": the bar's Finished is the same word and picture as the step's, and a
  // pupil who presses it means what the step asks, so it stops the sound here rather than
  // asking "Are you finished?" and signing out mid-lesson. Once stopped, it signs out as ever.
  // (Listening on the document while capturing runs before app.js's own listener on the form.)
  function finishedMeansThisStep() {
    var bar = document.getElementById("finished-form");
    var step = document.querySelector(".until-act");
    var button = step && step.querySelector("button[name=answer]");
    if (!bar || !button) { return; }
    document.addEventListener("submit", function (event) {
      if (event.target !== bar) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (step.requestSubmit) { step.requestSubmit(button); } else { button.click(); }
    }, true);
  }

  // After a yes (or when the pupil's tap brings the reward): play it once. After a no, nothing.
  document.querySelectorAll("[data-then-sound]").forEach(function (el) {
    play(el.getAttribute("data-then-sound"));
  });

  // Anticipation: the Go! button is shown after the wait; without this script it shows at once.
  document.querySelectorAll(".anticipate-go").forEach(function (button) {
    var wait = parseInt(button.getAttribute("data-wait"), 10) || 2;
    button.hidden = true;
    window.setTimeout(function () {
      button.hidden = false;
      button.focus();
      document.body.setAttribute("data-ready", "1");
    }, wait * 1000);
  });
})();
