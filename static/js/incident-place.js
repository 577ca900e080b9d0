/* The incident page opened at a place (#triage after saving a triage, #note after a note,
   #assign-assignee_id from "Reassign" on a colleague's held work): focus goes there too, not
   left on the page's top, so keyboard, switch and screen-reader users carry on where the change
   was made. A page re-shown with mistakes is left to errors.js (its summary takes the focus). */
(function () {
  "use strict";
  if (document.querySelector("[data-error-summary]") || location.hash.length < 2) { return; }
  var id = decodeURIComponent(location.hash.slice(1));
  // A long chronology puts the entry just added far below the section's top: show that entry.
  var place = document.getElementById(id === "note" ? "newest-entry" : id);
  if (!place) { return; }
  var control = place.matches("select, input, textarea, button, [tabindex]");
  var target = control ? place : place.querySelector("h2, h3");
  if (!target) { return; }
  if (!control) { target.setAttribute("tabindex", "-1"); }
  // A box is brought to the middle of the screen with its label and hint ("Who takes it on: Ms
  // Evans's account is deactivated ..."): scrolled to its own top, they were above the screen.
  function go() {
    if (control) { (place.closest(".field") || place).scrollIntoView({ block: "center" }); }
    target.focus({ preventScroll: true });
  }
  // Chrome holds the view on the #place, and takes the focus from anything not focusable there,
  // until the page has loaded: only then is the focus ours to move.
  if (document.readyState === "complete") { requestAnimationFrame(go); }
  else { window.addEventListener("load", function () { requestAnimationFrame(go); }); }
})();
