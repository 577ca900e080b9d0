/* The safeguarding team's badge: the count of unacknowledged worries, on every staff page,
   updated every few seconds from a tiny JSON answer (304 when nothing changed). */
(function () {
  "use strict";
  var badge = document.querySelector("[data-alert-badge]");
  if (!badge) { return; }
  var count = badge.querySelector("[data-count]");
  var seconds = parseFloat(badge.getAttribute("data-interval") || "8");
  var etag = null;

  function show(n) {
    count.textContent = String(n);
    badge.hidden = n === 0;
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(badge.getAttribute("data-url"), { credentials: "same-origin", headers: headers })
      .then(function (response) {
        if (response.status !== 200) { return null; }  // 304: unchanged; else try again later
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) { if (data) { show(data.count); } })
      .catch(function () { return null; });
  }

  window.setInterval(poll, Math.max(1, seconds) * 1000);
})();
