/* Shared devices forget the last person. No framework; nothing inline (CSP).
 *
 * 1. Forms show only what the server sent. Chromium restores typed text into a form when someone
 *    presses Back, even into a page it fetched again for a different person (a DSL's unsent
 *    chronology note came back for the deputy who signed in next, and was saved in the deputy's
 *    name); reset() puts every field back to the page's own values. Every form is reset on a
 *    visit by Back or Forward; forms marked data-forget or autocomplete="off" on every visit.
 * 2. Signing out replaces the current history entry with the sign-in page, so Back from the
 *    sign-in page does not return straight into the screen the previous person was on (and
 *    every page is no-store, so an earlier entry is fetched again for whoever is signed in).
 */
(function () {
  "use strict";

  function cameBack(event) {
    if (event.persisted) { return true; } // from the back-forward cache
    var visits = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    return visits.length > 0 && visits[0].type === "back_forward";
  }

  function forgetTypedText(event) {
    var forms = cameBack(event) ? document.forms
      : document.querySelectorAll("form[data-forget], form[autocomplete='off']");
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
