/* A shared class iPad: Back must never step into the previous pupil's screens.
 *
 * Every pupil page names the pupil visit (sign-in) it was rendered for, or "0" before sign-in.
 * Each history entry is tagged with the visit that first showed it. When Back (or a restored
 * page) lands on an entry tagged with another visit, the page is hidden at once and replaced by
 * this visit's own home, so nothing of the previous pupil's screen, text or choices is seen or
 * sent. Loaded in <head> without defer so it runs before the page is drawn.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  var visit = root.getAttribute("data-visit");
  if (visit === null) { return; }
  var state = window.history.state;
  var tagged = state !== null && typeof state === "object" && typeof state.visit === "string";
  if (tagged && state.visit !== visit) {
    root.classList.add("leaving");
    // Retag first: a replace to the same address keeps the entry's state, which must not loop.
    window.history.replaceState({ visit: visit }, "");
    window.location.replace(root.getAttribute("data-home"));
    return;
  }
  if (!tagged) {
    var next = {};
    if (state !== null && typeof state === "object") {
      Object.keys(state).forEach(function (name) { next[name] = state[name]; });
    }
    next.visit = visit;
    window.history.replaceState(next, "");
  }
  window.classroomVisit = visit;
})();
