/* Record a phrase with the microphone (MediaRecorder) into the form's file input. */
(function () {
  "use strict";
  var form = document.getElementById("voice-form");
  if (!form || !window.MediaRecorder || !navigator.mediaDevices) { return; }
  var button = form.querySelector("[data-record]");
  var status = form.querySelector("[data-record-status]");
  var input = form.querySelector("#voice-audio");
  var duration = form.querySelector("[data-duration]");
  var recorder = null, chunks = [], started = 0;

  function finish() {
    var type = recorder.mimeType || "audio/mp4";
    var blob = new Blob(chunks, { type: type });
    var file = new File([blob], "recording." + (type.indexOf("webm") >= 0 ? "webm" : "m4a"), { type: type });
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    duration.value = String(Math.round(performance.now() - started));
    status.textContent = "Recorded. Tick the box and save, or record again.";
    button.textContent = "Record again";
  }

  button.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      recorder = new MediaRecorder(stream);
      chunks = [];
      recorder.ondataavailable = function (event) { chunks.push(event.data); };
      recorder.onstop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); finish(); };
      started = performance.now();
      recorder.start();
      button.textContent = "Stop recording";
      status.textContent = "Recording… say the phrase, then press Stop.";
    }, function () { status.textContent = "The microphone is not available: choose a recording file instead."; });
  });
})();
