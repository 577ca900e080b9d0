/* Lesson and rules editors: live symbol previews as the teacher types, and the step editor
 * shows only the fields for the kind of step chosen. Without this script every field shows
 * and the "Preview symbols" button renders the same previews on the server. No inline JS (CSP).
 */
(function () {
  "use strict";
  var MIN_STEPS = 3;

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments;
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { fn.apply(null, args); }, wait);
    };
  }

  function previewer(url) {
    return function (input) {
      var target = document.getElementById(input.getAttribute("data-symbol-preview"));
      if (!target) { return; }
      // Sent as typed (not trimmed), with the box's limit, so the words the character count
      // says are too many are the ones the preview marks.
      var text = input.value;
      if (!text.trim()) { target.textContent = ""; return; }
      var address = url + "?text=" + encodeURIComponent(text);
      var limit = input.getAttribute("data-count-max");
      if (limit) { address += "&limit=" + encodeURIComponent(limit); }
      fetch(address, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          // The fragment is rendered on the server with every word escaped.
          if (input.value === text) { target.innerHTML = html; }
        })
        .catch(function () { return null; });
    };
  }

  document.querySelectorAll("form[data-preview-url]").forEach(function (form) {
    var show = previewer(form.getAttribute("data-preview-url"));
    form.querySelectorAll("input[data-symbol-preview]").forEach(function (input) {
      var later = debounce(show, 250);
      input.addEventListener("input", function () { later(input); });
      if (input.value.trim()) { show(input); }
    });
  });

  function showKind(slot) {
    var select = slot.querySelector("select[data-step-kind]");
    var kind = select ? select.value : "";
    slot.querySelectorAll("[data-kind-block]").forEach(function (block) {
      var kinds = block.getAttribute("data-kind-block").split(" ");
      block.hidden = kinds.indexOf(kind) < 0;
    });
  }

  document.querySelectorAll("[data-step-slot]").forEach(function (slot) {
    var select = slot.querySelector("select[data-step-kind]");
    if (select) { select.addEventListener("change", function () { showKind(slot); }); }
    showKind(slot);
  });

  // Work not saved is not lost without asking: Back, a link in the menu or a closed tab ask the
  // browser's "Leave site?" first, once anything is typed or chosen, or at once on a lesson
  // given back unsaved (a problem to fix, or Preview: `data-unsaved`). Saving does not ask; nor
  // does a page that clears itself (session-watch.js, history-guard.js mark it "leaving").
  document.querySelectorAll("form.authoring-form").forEach(function (form) {
    var unsaved = form.hasAttribute("data-unsaved");
    var sending = false;
    function changed() { unsaved = true; }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("click", function (event) {
      if (event.target.closest("[data-picker-results] button")) { changed(); }
    });
    form.addEventListener("submit", function () { sending = true; });
    window.addEventListener("pageshow", function () { sending = false; });
    window.addEventListener("beforeunload", function (event) {
      if (!unsaved || sending || document.documentElement.classList.contains("leaving")) {
        return;
      }
      event.preventDefault();
      event.returnValue = "";
    });
  });

  document.querySelectorAll("[data-pathway]").forEach(function (section) {
    var slots = Array.prototype.slice.call(section.querySelectorAll("[data-step-slot]"));
    // Up to the last box in use, not as many boxes as are in use: a box left empty between
    // filled ones ("No step here") must not hide the filled boxes after it.
    var last = 0;
    slots.forEach(function (slot, i) { if (slot.hasAttribute("data-used")) { last = i + 1; } });
    var shown = Math.max(MIN_STEPS, last);
    slots.forEach(function (slot, i) { slot.hidden = i >= shown; });
    if (shown >= slots.length) { return; }
    var add = document.createElement("button");
    add.type = "button";
    add.className = "button add-step";
    add.textContent = "Add a step";
    add.addEventListener("click", function () {
      var next = slots.filter(function (s) { return s.hidden; })[0];
      if (next) {
        next.hidden = false;
        var first = next.querySelector("select");
        if (first) { first.focus(); }
      }
      if (!slots.some(function (s) { return s.hidden; })) { add.remove(); }
    });
    slots[slots.length - 1].after(add);
  });
})();
