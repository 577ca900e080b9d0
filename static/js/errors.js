/* Errors where the eye is: a page re-shown with mistakes puts focus (and the view) on its error
   summary, so a screen reader announces it and nobody hunts 3,500px down a long page. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
  // A link in the summary moves focus to its field, not just the view.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({ block: "center" }); }
  });
})();
