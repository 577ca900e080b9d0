/* Tap a word in a staff preview to swap its picture there and then (templates/symbols/_word_swap.html).
   Tapping a word on the screen (or a "Picture for" link) opens the symbol chooser in a dialog;
   searching stays in the dialog; choosing posts the chooser's ordinary form, which saves the
   choice (audited) and comes back to the preview showing the new picture. Without this file
   the links go to the chooser page and back. No inline JS (CSP). */
(function () {
  "use strict";
  var panel = document.querySelector("[data-word-swap]");
  if (!panel || typeof window.fetch !== "function") { return; }
  var dialog = panel.querySelector("dialog");
  var body = dialog.querySelector("[data-word-swap-body]");
  var linkFor = {};
  var opener = null;

  Array.prototype.forEach.call(panel.querySelectorAll("a[data-word-key]"), function (link) {
    link.getAttribute("data-word-forms").split("|").forEach(function (written) {
      linkFor[written] = link;
    });
  });

  function show(url) {
    var address = new URL(url, window.location.href);
    address.searchParams.set("panel", "1");
    window.fetch(address.toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok && response.status !== 400) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;  // the server's page fragment: every text in it is escaped
        if (!dialog.open) { dialog.showModal(); }
        // On the pictures (the one chosen now, if any), not the search box before them: Enter
        // on "Use this picture" with none chosen was a refusal, and arrows move between them.
        var first = body.querySelector("input[type=radio]:checked") ||
          body.querySelector("input[type=radio]") || body.querySelector("input[type=search], button");
        if (first) { first.focus(); }
      })
      .catch(function () { window.location.href = url; });  // the full chooser page instead
  }

  function wordLink(target) {
    var word = target.closest ? target.closest(".sym-word") : null;
    if (!word || dialog.contains(word) || !word.closest("main")) { return null; }
    var label = word.querySelector(".sym-label");
    return label ? linkFor[label.textContent.trim().toLowerCase()] || null : null;
  }

  // Capture on window: runs before speech.js's "say this word", which a staff preview skips.
  window.addEventListener("click", function (event) {
    var link = wordLink(event.target);
    var listed = event.target.closest ? event.target.closest("a[data-word-key]") : null;
    var chosen = link || listed;
    if (!chosen) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    opener = event.target.closest(".sym-word") || chosen;
    show(chosen.href);
  }, true);

  body.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-word-swap-search")) { return; }  // choosing: a normal post
    event.preventDefault();
    var address = new URL(form.action, window.location.href);
    new FormData(form).forEach(function (value, key) { address.searchParams.set(key, value); });
    show(address.toString());
  });

  // Tab and Shift+Tab go round the dialog in reading order: from Close back to the first box,
  // and from the first box back to Close (a modal dialog alone lets focus leave to the page
  // or the browser). Escape closes it, as the browser's dialog does.
  var TABBABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden])," +
    " select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  function stops() {
    return Array.prototype.filter.call(dialog.querySelectorAll(TABBABLE), function (el) {
      if (el.type === "radio" && !el.checked && el.name) {  // a group is one stop
        var named = "input[type=radio][name=\"" + CSS.escape(el.name) + "\"]";
        var group = dialog.querySelectorAll(named);
        var checked = Array.prototype.some.call(group, function (r) { return r.checked; });
        if (checked || group[0] !== el) { return false; }
      }
      return el.getClientRects().length > 0 && !el.closest("[hidden]");
    });
  }
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") { return; }
    var all = stops();
    if (!all.length) { return; }
    var first = all[0], last = all[all.length - 1], here = document.activeElement;
    var outside = here === dialog || !dialog.contains(here);
    if (event.shiftKey && (here === first || outside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (here === last || outside)) {
      event.preventDefault();
      first.focus();
    }
  });

  dialog.querySelector("[data-word-swap-close]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("close", function () {
    if (opener && opener.focus) { opener.focus(); }
  });
})();
