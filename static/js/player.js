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

  /* A cause-and-effect tap with no network, or with the server out of reach, is not lost from
   * the record a teacher reads (for a pre-formal pupil it is the evidence of engagement): it is
   * kept here, oldest first, and sent when the server answers (its key makes the server record
   * it once), before any tap that leaves the screen. The pupil's screen does not change: the
   * sound and the movement are the response, and they stay instant; a tap that stays on the
   * screen says nothing about the network. On line each tap goes at once, as ever.
   */
  var TAP_RETRY_MS = 3000;
  var kept = [], flushing = null, resend = null, made = 0;

  function post(tapped) {
    return window.fetch(tapped.url, {
      method: "POST", credentials: "same-origin", body: tapped.body,
      headers: { "X-CSRFToken": csrf() }
    });
  }

  function resendSoon() {
    if (resend !== null) { return; }
    resend = window.setTimeout(function () { resend = null; flushQuietly(); }, TAP_RETRY_MS);
  }

  // Send the kept taps in order; settles once all are sent, or fails at the first that fails.
  function flush() {
    if (flushing) { return flushing; }
    if (!kept.length) { return Promise.resolve(); }
    flushing = post(kept[0]).then(function () {  // any answer: the server has it
      kept.shift();
      flushing = null;
      return flush();
    }, function (error) {
      flushing = null;
      resendSoon();
      throw error;
    });
    return flushing;
  }

  function flushQuietly() { return flush().catch(function () { return null; }); }

  function keep(tapped) {
    kept.push(tapped);
    kept.sort(function (a, b) { return a.order - b.order; });
    resendSoon();
  }

  window.addEventListener("online", flushQuietly);
  var beforeIdle = window.classroomBeforeIdle;  // the iPad idling out sends them first
  window.classroomBeforeIdle = function () {
    var before = beforeIdle ? beforeIdle() : null;
    return Promise.resolve(before).then(flushQuietly, flushQuietly);
  };

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
      made += 1;
      var tapped = { url: target.getAttribute("data-tap-url"), body: body, order: made };
      if (kept.length) {  // after the ones kept before it
        keep(tapped);
        flushQuietly();
      } else {
        post(tapped).catch(function () { keep(tapped); });
      }
      document.body.setAttribute("data-taps", String(taps));
    });
  });

  /* The school Wi-Fi drops mid-lesson (the iPad says it is off line). A tap that leaves the screen
   * would then land on the browser's own error page: words only, no symbols, no speech, no
   * Report a worry and no way back. So each such tap is made only once the server answers:
   * an answer (or the last Next) is sent first in the background, and only then shown as
   * ever, by posting the same form again (its key makes the server record it once; a second
   * post of the same key shows the same screen and records nothing). A link (Next, My lessons,
   * Report a worry) goes once the server answers. Meanwhile the screen says "No internet. Ask
   * an adult." in symbols and speech, keeps the tap and makes it when the network is back.
   * One tap at a time: a second tap while the first is on its way is not another answer.
   *
   * With the Wi-Fi up but the server down or out of reach, the iPad says it is on line and the
   * tap goes as ever; the class iPad's service worker then finds no server, leaves the browser
   * on this screen and says so (app.js, "classroom:unreachable"): the tap is held here in the
   * same way, from what was remembered of it as it went, and made once the server answers
   * (asked every few seconds).
   *
   * A form marked data-post-once (Start on a lesson's first screen) does again what it did if
   * posted twice (a second go): it is never sent first in the background. The server is asked
   * whether it answers, and then the form is posted, once.
   *
   * Cause-and-effect taps kept with no network (above) are sent before a tap that leaves the
   * screen; while any is kept, such a tap waits for them as it would with no network.
   */
  var offline = document.getElementById("lesson-offline");
  var main = document.getElementById("main");
  if (!offline || !main || !window.fetch || !window.FormData) { return; }
  var RETRY_MS = 3000;
  var busy = false, trying = false, retry = null;
  var held = { form: null, body: null, pressed: null, href: null };
  var went = null;  // the last tap that went straight to the server, as held would keep it
  var hid = [], added = [];  // what this made hidden, and the inputs it added: undone on Back

  function showOffline() {
    if (!offline.hidden) { return; }
    Array.prototype.forEach.call(main.children, function (el) {
      if (el !== offline && !el.hidden) { el.hidden = true; hid.push(el); }
    });
    offline.hidden = false;
    document.body.setAttribute("data-offline", "1");
    document.dispatchEvent(new CustomEvent("classroom:screen", { detail: offline }));
  }

  function later() {
    showOffline();
    if (retry !== null) { return; }
    retry = window.setTimeout(function () { retry = null; go(); }, RETRY_MS);
  }

  function send(form, body) {
    return window.fetch(form.action, {  // recorded, and nothing drawn (views.ANSWER_ONLY)
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "X-Answer-Only": "1" }
    });
  }

  function check() {
    return window.fetch(offline.getAttribute("data-check-url"), {
      cache: "no-store", credentials: "same-origin"
    });
  }

  // Make the held tap: the answer first (if any), then the screen it leads to.
  function go() {
    if (trying) { return; }
    trying = true;
    var sent = flush().then(function () {
      var answer = held.form && !held.form.hasAttribute("data-post-once");
      return answer ? send(held.form, held.body) : check();
    });
    sent.then(function () {
      trying = false;
      if (held.href) { window.location.assign(held.href); return; }
      if (held.pressed) {  // the button pressed, which submit() leaves out
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = held.pressed.name;
        input.value = held.pressed.value;
        held.form.appendChild(input);
        added.push(input);
      }
      held.form.submit();
    }, function () {
      trying = false;
      later();
    });
  }

  window.addEventListener("online", function () { if (busy && !trying) { go(); } });

  function tap(form, button) {
    var body = new FormData(form), pressed = null;
    if (button && button.name) {
      pressed = { name: button.name, value: button.value };
      body.append(button.name, button.value);
    }
    return { form: form, body: body, pressed: pressed, href: null };
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!main.contains(form) || event.defaultPrevented) { return; }
    if (!busy && navigator.onLine !== false && !kept.length) {  // on line: goes as ever
      went = tap(form, event.submitter);
      return;
    }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    held = tap(form, event.submitter);
    go();
  });

  // A tap that went found no server. Report a worry, with no tap held, is worry-outbox.js's.
  document.addEventListener("classroom:unreachable", function (event) {
    var url = event.detail.url, button = document.querySelector("a.worry-button[href]");
    if (event.defaultPrevented) { return; }
    if (!busy) {
      if (button && new URL(url).pathname === new URL(button.href).pathname) { return; }
      if (event.detail.method === "GET") {
        held = { form: null, body: null, pressed: null, href: url };
      } else if (went && went.form.action === url) {
        held = went;
      } else {
        return;  // not a tap made here
      }
      busy = true;
    }
    // Busy: the held tap went (or the screen after it was asked for) and found no server. It is
    // made again: an answer is recorded once, by its key.
    event.preventDefault();
    later();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || link.getAttribute("href").charAt(0) === "#") {
      return;
    }
    var worry = link.classList.contains("worry-button");
    if (!worry && !main.contains(link)) { return; }
    // No network and no tap waiting: Report a worry offers "I have a worry", kept on the iPad
    // (worry-outbox.js), as on every other pupil screen.
    if (worry && !busy && navigator.onLine === false) { return; }
    if (!busy && navigator.onLine !== false && !kept.length) { return; }  // goes as ever
    event.preventDefault();
    if (busy) {
      // A tap on its way is not doubled by another. Report a worry still opens: once the
      // answer on its way is sent (a page opened now would be replaced by that answer's).
      if (worry) { held.href = link.href; }
      return;
    }
    held = { form: null, body: null, pressed: null, href: link.href };
    busy = true;
    go();
  });

  // Back to this screen from the next one: a browser that kept the page as it was (the back-
  // forward cache) would keep it waiting on a tap already made, deaf to every new one.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    if (retry !== null) { window.clearTimeout(retry); retry = null; }
    busy = trying = false;
    held = { form: null, body: null, pressed: null, href: null };
    went = null;
    added.forEach(function (input) { input.remove(); });
    hid.forEach(function (el) { el.hidden = false; });
    added = [];
    hid = [];
    offline.hidden = true;
    document.body.removeAttribute("data-offline");
  });
})();
