/* After a change to one row of a long lesson map the page comes back to that row
   (#lesson-<id>), which says what was saved and, as the page's anchor, takes the focus: the
   browser does that without JavaScript. For a browser that only scrolls to an anchor, this
   gives the row the focus once the page has loaded, so a keyboard or switch user goes on from
   the row they changed, not from the top of the page. */
(function () {
  "use strict";
  var row = document.querySelector("[data-saved-row]");
  if (!row) { return; }
  window.addEventListener("load", function () {
    if (!row.contains(document.activeElement)) { row.focus({ preventScroll: true }); }
  });
})();
