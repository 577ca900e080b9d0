/* Lesson player extras: cause-and-effect taps play a gentle sound and move the picture, at once,
 * and are recorded in the background. Sounds are made with Web Audio, so there are no files to
 * fetch, and every sound is soft (a startling noise can distress a pupil). Reduced motion keeps
 * the picture still. Without this script each tap is an ordinary form post.
 */
(function () {
  "use strict";
  var context = null;

  function audio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return null; }
    if (!context) { context = new Context(); }
    if (context.state === "suspended") { context.resume(); }
    return context;
  }

  function tone(ctx, frequency, start, length, type, volume) {
    var osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.type = type;
    osc.frequency.setValueAtTime(frequency, ctx.currentTime + start);
    gain.gain.setValueAtTime(volume, ctx.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + start);
    osc.stop(ctx.currentTime + start + length);
    return osc;
  }

  function noise(ctx, length, volume, highpass) {
    var buffer = ctx.createBuffer(1, Math.floor(ctx.sampleRate * length), ctx.sampleRate);
    var data = buffer.getChannelData(0);
    for (var i = 0; i < data.length; i += 1) { data[i] = (Math.random() * 2 - 1) * (1 - i / data.length); }
    var source = ctx.createBufferSource(), filter = ctx.createBiquadFilter(), gain = ctx.createGain();
    source.buffer = buffer;
    filter.type = "highpass";
    filter.frequency.value = highpass;
    gain.gain.value = volume;
    source.connect(filter).connect(gain).connect(ctx.destination);
    source.start();
  }

  var SOUNDS = {
    chime: function (ctx) { tone(ctx, 880, 0, 0.9, "sine", 0.2); tone(ctx, 1320, 0.12, 0.8, "sine", 0.12); },
    bell: function (ctx) { tone(ctx, 660, 0, 1.2, "triangle", 0.2); tone(ctx, 990, 0, 0.9, "sine", 0.08); },
    pop: function (ctx) {
      var osc = tone(ctx, 520, 0, 0.12, "sine", 0.25);
      osc.frequency.exponentialRampToValueAtTime(180, ctx.currentTime + 0.12);
    },
    drum: function (ctx) {
      var osc = tone(ctx, 150, 0, 0.35, "sine", 0.35);
      osc.frequency.exponentialRampToValueAtTime(60, ctx.currentTime + 0.3);
    },
    clap: function (ctx) { noise(ctx, 0.15, 0.25, 1200); },
    shaker: function (ctx) { noise(ctx, 0.3, 0.12, 4000); }
  };

  // Shared with step-kinds.js, so every step kind plays the same gentle sounds.
  window.classroomSound = function (name) {
    var ctx = audio(), sound = SOUNDS[name];
    if (ctx && sound) { sound(ctx); }
  };

  function reducedMotion() {
    return document.body.classList.contains("reduced-motion") ||
      (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.querySelectorAll(".ce-target").forEach(function (target) {
    var form = target.form, taps = 0;
    var base = form.querySelector("input[name=key]").value;
    target.addEventListener("click", function (event) {
      event.preventDefault();
      taps += 1;
      var ctx = audio(), play = SOUNDS[target.getAttribute("data-sound")];
      if (ctx && play) { play(ctx); }
      if (!reducedMotion()) {
        target.classList.remove("play");
        void target.offsetWidth;  // restart the animation on every tap
        target.classList.add("play");
      }
      var body = new URLSearchParams();
      body.set("answer", "tap");
      body.set("key", base + "-" + taps);
      body.set("tries", String(taps));
      body.set("item", "0");
      fetch(target.getAttribute("data-tap-url"), {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRFToken": csrf() }
      }).catch(function () { return null; });
      document.body.setAttribute("data-taps", String(taps));
    });
  });
})();
