/* The lesson editor's symbol picker: type a word, pictures appear as buttons with their words,
 * and a press chooses one. Without this script the "Find pictures" button asks the server for
 * the same pictures as radio buttons in the form. No inline JS (CSP).
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-pictures-url]");
  if (!form) { return; }
  var url = form.getAttribute("data-pictures-url");

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(fn, wait);
    };
  }

  function choose(picker, button) {
    var value = picker.querySelector("[data-picker-value]");
    var current = picker.querySelector("[data-picker-current]");
    if (!value || !current) { return; }
    value.value = button.getAttribute("data-code");
    var image = current.querySelector("[data-picker-image]");
    if (!image) {
      image = document.createElement("img");
      image.setAttribute("data-picker-image", "");
      image.alt = "";
      image.width = 44;
      image.height = 44;
      current.prepend(image, " ");
    }
    image.src = button.querySelector("img").src;
    current.querySelector("[data-picker-word]").textContent = button.getAttribute("data-word");
    picker.querySelector("[data-picker-results]").textContent = "Chosen: " + button.getAttribute("data-word") + ".";
    picker.querySelector("[data-picker-search]").focus();
    picker.removeAttribute("data-asked");  // the results now say what was chosen
  }

  function search(picker) {
    var input = picker.querySelector("[data-picker-search]");
    var results = picker.querySelector("[data-picker-results]");
    var term = input.value.trim();
    if (!term) { results.textContent = ""; picker.removeAttribute("data-asked"); return; }
    // Asked already (Enter, then the typing's own search a moment later): drawing the same
    // pictures again would take away the one a keyboard user had just tabbed to.
    if (picker.getAttribute("data-asked") === term) { return; }
    picker.setAttribute("data-asked", term);
    var address = url + "?field=" + encodeURIComponent(picker.getAttribute("data-field")) +
      "&q=" + encodeURIComponent(term);
    fetch(address, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        // Rendered on the server with every word escaped; only the latest search is shown.
        if (input.value.trim() === term) { results.innerHTML = html; }
      })
      .catch(function () { return null; });
  }

  form.querySelectorAll("[data-symbol-picker]").forEach(function (picker) {
    var input = picker.querySelector("[data-picker-search]");
    var find = picker.querySelector("[data-picker-find]");
    var results = picker.querySelector("[data-picker-results]");
    if (!input || !find || !results || !picker.querySelector("[data-picker-value]")) { return; }
    var later = debounce(function () { search(picker); }, 250);
    input.addEventListener("input", later);
    // Enter in the search box searches here rather than submitting the whole lesson.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); search(picker); }
    });
    find.addEventListener("click", function (event) { event.preventDefault(); search(picker); });
    results.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-code]");
      if (button) { choose(picker, button); }
    });
  });
})();
