// Body map: a tap (or click) on the front or back outline places the mark being added.
// The region list is the keyboard and switch alternative; a tap also selects the nearest
// region there, so the form always says in words where the mark is.
(function () {
  "use strict";
  var WIDTH = 200, HEIGHT = 400;

  function nearestOption(select, side, x, y) {
    var best = null, bestDistance = Infinity;
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.dataset.side !== side) { return; }
      var dx = (parseFloat(option.dataset.x) - x) * WIDTH;
      var dy = (parseFloat(option.dataset.y) - y) * HEIGHT;
      var distance = Math.sqrt(dx * dx + dy * dy);
      if (distance < bestDistance) { best = option; bestDistance = distance; }
    });
    return best;
  }

  function showPending(form, side, x, y) {
    document.querySelectorAll(".body-map-input .pending-mark").forEach(function (circle) {
      var here = circle.closest("svg").dataset.side === side;
      circle.setAttribute("cx", here ? (x * WIDTH).toFixed(1) : "-40");
      circle.setAttribute("cy", here ? (y * HEIGHT).toFixed(1) : "-40");
    });
  }

  function place(form, svg, event) {
    var matrix = svg.getScreenCTM();
    if (!matrix) { return; }
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    var local = point.matrixTransform(matrix.inverse());
    var x = Math.min(1, Math.max(0, local.x / WIDTH));
    var y = Math.min(1, Math.max(0, local.y / HEIGHT));
    var side = svg.dataset.side;
    form.elements.side.value = side;
    form.elements.x.value = x.toFixed(4);
    form.elements.y.value = y.toFixed(4);
    var option = nearestOption(form.elements.region, side, x, y);
    if (option) { form.elements.region.value = option.value; }
    showPending(form, side, x, y);
    document.getElementById("mark-placed").textContent =
      "Mark placed: " + (option ? option.textContent : side) + ". Now choose the kind of mark and its size.";
  }

  function chooseFromList(form) {
    var option = form.elements.region.selectedOptions[0];
    form.elements.side.value = "";
    form.elements.x.value = "";
    form.elements.y.value = "";
    if (option && option.value) {
      showPending(form, option.dataset.side, parseFloat(option.dataset.x), parseFloat(option.dataset.y));
      document.getElementById("mark-placed").textContent = "Mark placed: " + option.textContent + ".";
    }
  }

  // A file over the limit is stopped here, before minutes of uploading on school Wi-Fi end in
  // a refusal (the server refuses it too, with the same words).
  function checkSize(upload, event) {
    var input = upload.elements.file, limit = parseInt(upload.dataset.maxBytes, 10);
    var message = document.getElementById("upload-too-big");
    var file = input.files && input.files[0];
    if (file && file.size > limit) {
      event.preventDefault();
      message.textContent = "That file is too big: attach files of at most " + upload.dataset.maxWords + ".";
      input.focus();
    } else {
      message.textContent = "";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var upload = document.getElementById("upload-form");
    if (upload) { upload.addEventListener("submit", function (event) { checkSize(upload, event); }); }
    var form = document.getElementById("mark-form");
    if (!form) { return; }
    document.querySelectorAll(".body-map-input").forEach(function (svg) {
      svg.addEventListener("click", function (event) { place(form, svg, event); });
    });
    form.elements.region.addEventListener("change", function () { chooseFromList(form); });
    var error = document.getElementById("evidence-error");
    if (error) { error.focus(); }
  });
})();
