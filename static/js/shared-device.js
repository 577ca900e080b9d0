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
 * 3. A form is sent once: a second press while the first is on its way (a double click, an
 *    impatient tap) sends nothing more, so a note, action or referral is not recorded twice.
 *    The form can be sent again after a few seconds (a download leaves the page where it was)
 *    or when the page is shown again.
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

  var SIGNED_OUT = "classroom-signed-out";
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
      // Now that it has ended, every other tab of this browser clears its screen at once
      // (static/js/session-watch.js); sooner, their sign-in page would still see it signed in.
      try { window.localStorage.setItem(SIGNED_OUT, String(Date.now())); } catch (e) { /* private */ }
      window.location.replace(response.redirected ? response.url : form.getAttribute("data-signed-out-url"));
    }, function () {
      form.submit(); // no answer: sign out the ordinary way
    });
  }
  document.addEventListener("submit", signOut);

  var RESEND_AFTER = 5000;
  function sendOnce(event) {
    var form = event.target;
    if (event.defaultPrevented || !form.getAttribute || (form.getAttribute("method") || "").toLowerCase() !== "post") {
      return;
    }
    if (form.hasAttribute("data-sending")) { event.preventDefault(); return; }
    // Not the button's disabled state: the entry list is built after this event, and a
    // disabled submitter would drop its own name and value from it.
    form.setAttribute("data-sending", "");
    window.setTimeout(function () { form.removeAttribute("data-sending"); }, RESEND_AFTER);
  }
  document.addEventListener("submit", sendOnce);
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sending]"), function (form) {
      form.removeAttribute("data-sending");
    });
  });
})();
