/* Symbol pictures: if one fails to load (e.g. an old cached page), hide the broken-image box
   but keep its space, so the word under it stays where the pupil expects it. No inline JS (CSP). */
(function () {
  "use strict";
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img instanceof HTMLImageElement && img.classList.contains("sym-img")) {
      img.classList.add("sym-missing");
    }
  }, true);
})();
