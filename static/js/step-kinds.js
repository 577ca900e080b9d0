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
  });

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
