/* A signed-in page that outlives its session clears itself. No framework; nothing inline (CSP).
 *
 * On a shared staff laptop the DSL signs out in one tab, or walks away until the idle time-out
 * ends the session, and another tab still shows a child-protection record to whoever sits down
 * next. So a page with a Sign out button replaces itself with the sign-in page when:
 *   - another tab of this browser signs out (shared-device.js leaves a mark in localStorage,
 *     which every other tab hears at once), or
 *   - the server says the session has gone: asked every minute while the page is shown, and
 *     when it is shown again. The question is passive on the server, so asking never keeps a
 *     session alive that its idle time-out should end.
 *   - the server says the browser's session is now someone else's: the DSL timed out in this
 *     tab and a teacher signed in in another, so the cookie is alive but not the DSL's. The
 *     question names the page's own session by the sign-out form's token, which is made anew
 *     for each session (a 403 if it is not this one's).
 * A network failure is no answer: the page stays until the server is reached.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-sign-out][data-session-url]");
  if (!form || !window.fetch) { return; }
  var SIGNED_OUT = "classroom-signed-out";
  var EVERY = 60 * 1000;
  var leaving = false;

  function leave() {
    if (leaving) { return; }
    leaving = true;
    document.documentElement.classList.add("leaving");  // draw nothing more of this page
    window.location.replace(form.getAttribute("data-signed-out-url"));
  }

  window.addEventListener("storage", function (event) {
    if (event.key === SIGNED_OUT) { leave(); }
  });

  function ask() {
    if (document.visibilityState === "hidden") { return; }
    var token = form.querySelector("input[name='csrf_token']");
    var headers = token ? { "X-Page-Token": token.value } : {};
    window.fetch(form.getAttribute("data-session-url"), {
      credentials: "same-origin", redirect: "manual", cache: "no-store", headers: headers
    }).then(function (response) {
      // Signed out: the answer is the redirect to sign-in (opaque to a manual fetch), or a 4xx.
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        leave();
      }
    }, function () { return null; });
  }
  window.setInterval(ask, EVERY);
  document.addEventListener("visibilitychange", ask);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { ask(); } // back from the back-forward cache: no visibilitychange
  });
})();
