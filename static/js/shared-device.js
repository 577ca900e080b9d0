/* Shared devices forget the last person. No framework; nothing inline (CSP).
 *
 * 1. Forms that hold personal text (marked data-forget or autocomplete="off") show only what the
 *    server sent. Chromium restores typed text into a form when someone presses Back, even into a
 *    page it fetched again for a different person; reset() puts every field back to the page's
 *    own values, so nothing the previous person typed comes back.
 * 2. Signing out replaces the current history entry with the sign-in page, so Back from the
 *    sign-in page does not return straight into the screen the previous person was on (and
 *    every page is no-store, so an earlier entry is fetched again for whoever is signed in).
 */
(function () {
  "use strict";

  function forgetTypedText() {
    var forms = document.querySelectorAll("form[data-forget], form[autocomplete='off']");
    Array.prototype.forEach.call(forms, function (form) { form.reset(); });
  }
  window.addEventListener("pageshow", forgetTypedText);

  function signOut(event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-sign-out") || !window.fetch) { return; }
    event.preventDefault();
    window.fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      body: new FormData(form),
      redirect: "follow"
    }).then(function (response) {
      window.location.replace(response.redirected ? response.url : form.getAttribute("data-signed-out-url"));
    }, function () {
      form.submit(); // no answer: sign out the ordinary way
    });
  }
  document.addEventListener("submit", signOut);
})();
