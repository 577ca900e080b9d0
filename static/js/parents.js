/* Parents pages: a Print button for the invite slip, and shrinking a big photo before upload.
   No inline JS (CSP). Photos are re-encoded on the server whatever happens here; this only keeps
   a camera-sized picture under the upload limit, so staff are not told it is "too big". */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) { window.print(); }
  });

  var MAX_BYTES = 1.5 * 1024 * 1024;
  var MAX_SIDE = 1600;

  function shrink(input) {
    var file = input.files && input.files[0];
    if (!file || file.size <= MAX_BYTES || !window.createImageBitmap || !window.DataTransfer) { return; }
    createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob) { return; }
        var smaller = new DataTransfer();
        smaller.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
        input.files = smaller.files;
      }, "image/jpeg", 0.85);
    }).catch(function () { /* the server will explain what it could not read */ });
  }

  document.querySelectorAll("input[data-shrink-photo]").forEach(function (input) {
    input.addEventListener("change", function () { shrink(input); });
  });
})();
