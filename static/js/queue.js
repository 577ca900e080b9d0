/* The safeguarding queue refreshes itself: a new worry appears within seconds, no reload. */
(function () {
  "use strict";
  var live = document.getElementById("queue-live");
  var rows = document.getElementById("queue-rows");
  if (!live || !rows) { return; }
  var state = live.getAttribute("data-state");

  function refresh() {
    fetch(live.getAttribute("data-rows-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("rows " + response.status); }
        state = response.headers.get("X-Queue-State") || state;
        return response.text();
      })
      .then(function (html) {
        var body = new DOMParser().parseFromString("<table><tbody>" + html + "</tbody></table>",
          "text/html").querySelector("tbody");
        rows.replaceChildren.apply(rows, Array.prototype.slice.call(body.childNodes));
        live.textContent = "The queue has changed.";
      })
      .catch(function () { return null; });
  }

  // Every few seconds (QUEUE_POLL_SECONDS, 5 by default), sending the last state back: an unchanged queue answers an empty 304. Polls are
  // "passive" on the server, so an open queue never keeps an idle DSL signed in.
  function poll() {
    fetch(live.getAttribute("data-state-url"), {
      credentials: "same-origin",
      headers: { "If-None-Match": "\"" + state + "\"" }
    })
      .then(function (response) { return response.status === 200 ? response.json() : null; })
      .then(function (data) {
        if (data && data.state !== state) { state = data.state; refresh(); }
      })
      .catch(function () { return null; });
  }

  var seconds = parseInt(live.getAttribute("data-interval"), 10) || 5;
  window.setInterval(poll, seconds * 1000);
})();
