/* The safeguarding queue refreshes itself: a new worry appears within seconds, no reload.
   A screen reader is told politely that it changed, and the focus stays where the DSL left it:
   a row's link replaced by the fresh rows hands the focus to the same link in them (or, if
   that worry has left this page, to the table), never to the page's top, which would start
   the next Tab from the beginning. */
(function () {
  "use strict";
  var live = document.getElementById("queue-live");
  var rows = document.getElementById("queue-rows");
  var pager = document.getElementById("queue-pager");
  if (!live || !rows || !pager) { return; }
  var state = live.getAttribute("data-state");

  function swap(here, from) {
    if (from) { here.replaceChildren.apply(here, Array.prototype.slice.call(from.childNodes)); }
  }

  function links(here) {
    return Array.prototype.slice.call(here.querySelectorAll("a[href]"));
  }

  // The element that held the focus inside what is swapped, by what it points to.
  function focusedIn(parts) {
    var active = document.activeElement;
    var inside = parts.some(function (part) { return part && part.contains(active); });
    return inside ? { href: active.getAttribute("href"), text: active.textContent } : null;
  }

  function giveBack(held, parts) {
    if (!held || (document.activeElement && document.activeElement !== document.body)) { return; }
    var same = null;
    parts.forEach(function (part) {
      if (!part || same) { return; }
      same = links(part).filter(function (a) {
        return held.href ? a.getAttribute("href") === held.href : a.textContent === held.text;
      })[0] || null;
    });
    var target = same || rows.closest("[tabindex]") || live;
    if (target === live) { live.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: true });
  }

  function refresh() {
    fetch(live.getAttribute("data-rows-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("rows " + response.status); }
        state = response.headers.get("X-Queue-State") || state;
        return response.text();
      })
      .then(function (html) {
        // The rows and the pager that goes with them: "Older" starts after the last row shown.
        var fresh = new DOMParser().parseFromString(html, "text/html");
        if (!fresh.getElementById("queue-rows")) { throw new Error("not the queue's rows"); }
        var elsewhere = document.getElementById("queue-elsewhere");
        var parts = [rows, pager, elsewhere];
        var held = focusedIn(parts);
        swap(rows, fresh.getElementById("queue-rows"));
        swap(pager, fresh.getElementById("queue-pager"));
        if (elsewhere) { swap(elsewhere, fresh.getElementById("queue-elsewhere")); }
        giveBack(held, parts);
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
