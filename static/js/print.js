/* A "Print" button for pages made to be printed (the contact sheet, the symbol text tool, a
   report, a poster). No inline JS (CSP).

   Long pages (the whole word list's contact sheet has hundreds of pictures) load their
   pictures lazily, as they scroll into view, so the page opens at once on school Wi-Fi. A
   printout needs every one: "Print" first loads the rest, saying so, then prints. The
   browser's own Print (its menu, Ctrl+P) starts them loading too; most browsers wait for
   pictures already on their way. */
(function () {
  "use strict";
  var LONGEST_WAIT_MS = 20000; // print what has arrived rather than never print

  function loadEveryPicture() {
    var waiting = [];
    document.querySelectorAll('img[loading="lazy"]').forEach(function (img) {
      img.loading = "eager";
      if (!img.complete) {
        waiting.push(new Promise(function (done) {
          img.addEventListener("load", done, { once: true });
          img.addEventListener("error", done, { once: true });
        }));
      }
    });
    return waiting;
  }

  function say(status, text) {
    if (status) { status.textContent = text; }
  }

  function printWhenReady(button) {
    var waiting = loadEveryPicture();
    var status = document.querySelector("[data-print-status]");
    if (!waiting.length) { window.print(); return; }
    button.disabled = true;
    say(status, "Getting all " + waiting.length + " pictures ready to print\u2026");
    var timer = new Promise(function (done) { setTimeout(done, LONGEST_WAIT_MS); });
    Promise.race([Promise.all(waiting), timer]).then(function () {
      button.disabled = false;
      say(status, "");
      window.print();
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) { printWhenReady(target); }
  });
  window.addEventListener("beforeprint", loadEveryPicture);
})();
