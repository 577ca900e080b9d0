/* Speech for symbol-supported text: tap a word to hear it; "Read to me" reads a sentence and
   highlights each word as it is spoken. Server audio (MP3 + word timings) first; the device's
   own voice (speechSynthesis) if the server cannot speak, and then staff are told, not pupils;
   the server is asked again once it may be back (the network back, or a few seconds on).
   When neither can speak, a press would do nothing at all: pupil screens then show their sign
   ("No sound. Ask an adult.", templates/ipad/_chrome.html), their speakers show a speaker
   crossed out, and the button pressed shows it was pressed, so the adult beside the pupil knows.
   No framework; nothing inline (CSP). Markup: templates/_macros/symbols.html.

   <body data-speech-rate="150" data-speech-voice="gmw/en" data-auto-read="true">  (optional)
   <meta name="csrf-token" content="...">    the clip request sends it as X-CSRFToken
*/
(function () {
  "use strict";

  var body = document.body;
  var CLIP_URL = body.getAttribute("data-speech-url") || "/speech/clip";
  var audio = new Audio();
  audio.preload = "auto";
  var clips = {};          // text -> Promise of the server's clip answer, one request per text
  var serverDown = false;  // after a 503 or network failure: the device voice, until back
  var downAt = 0;          // when the server was last found down (Date.now)
  var trying = false;      // a clip asked for only to see whether the server is back
  var TRY_AGAIN_MS = 5000;
  var unlocked = false;
  var playing = null;      // { stop: function } for whatever is speaking now
  var deviceVoice = null;

  function reducedMotion() {
    return body.classList.contains("reduced-motion") ||
      (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function speechRate() {
    var rate = parseInt(body.getAttribute("data-speech-rate") || "", 10);
    return isNaN(rate) ? null : rate;
  }

  /* --- iOS: audio may only start inside a gesture, so unlock our one element on the first. */

  function silentWav() {
    // 0.1 s of silence as a WAV blob (CSP allows blob: media, not data: URLs).
    var samples = 2205, bytes = new DataView(new ArrayBuffer(44 + samples * 2));
    var text = function (at, s) { for (var i = 0; i < s.length; i++) { bytes.setUint8(at + i, s.charCodeAt(i)); } };
    text(0, "RIFF"); bytes.setUint32(4, 36 + samples * 2, true); text(8, "WAVEfmt ");
    bytes.setUint32(16, 16, true); bytes.setUint16(20, 1, true); bytes.setUint16(22, 1, true);
    bytes.setUint32(24, 22050, true); bytes.setUint32(28, 44100, true);
    bytes.setUint16(32, 2, true); bytes.setUint16(34, 16, true);
    text(36, "data"); bytes.setUint32(40, samples * 2, true);
    return URL.createObjectURL(new Blob([bytes.buffer], { type: "audio/wav" }));
  }

  function unlock() {
    if (unlocked) { return; }
    unlocked = true;
    ["touchend", "click", "keydown"].forEach(function (name) {
      document.removeEventListener(name, unlock, true);
    });
    if (!audio.src) {
      audio.src = silentWav();
      var started = audio.play();
      if (started && started.then) {
        started.then(function () { if (!playing) { audio.pause(); } }, function () {});
      }
    }
    if ("speechSynthesis" in window) {
      // An empty utterance in the gesture lets the fallback voice speak later without one.
      window.speechSynthesis.speak(new window.SpeechSynthesisUtterance(""));
    }
    if (pendingAutoRead) { var read = pendingAutoRead; pendingAutoRead = null; read(); }
  }

  ["touchend", "click", "keydown"].forEach(function (name) {
    document.addEventListener(name, unlock, true);
  });

  /* --- Highlighting ------------------------------------------------------------------- */

  function clearHighlight(container) {
    var scope = container || document;
    Array.prototype.forEach.call(scope.querySelectorAll(".speaking"), function (el) {
      el.classList.remove("speaking");
    });
  }

  // Only words on the screen now: a part not shown (a rule on another page) is not lit.
  function wordButtons(container) {
    return Array.prototype.filter.call(container.querySelectorAll(".sym-word"), shown);
  }

  function normalised(text) {
    return (text || "").toLowerCase().replace(/[\u2019']/g, "'").replace(/[^\w']+/g, " ").trim();
  }

  // Where a word starts in the text read: its data-offset, moved (`moved`, from readContainer)
  // when it is in a part whose words count from the part's own start (data-say-at).
  function offsetOf(button, moved) {
    var offset = parseInt(button.getAttribute("data-offset") || "-1", 10);
    return moved && moved.has(button) ? offset + moved.get(button) : offset;
  }

  // The word being said at `offset` (characters into the text read): the one that starts
  // nearest before it, the later on the page if two start there.
  function wordAt(buttons, offset, moved) {
    var found = null, best = -1;
    buttons.forEach(function (b) {
      var at = offsetOf(b, moved);
      if (at >= 0 && at <= offset && at >= best) { found = b; best = at; }
    });
    return found;
  }

  // For each timed word, the button to light up: by character offset when the markup has
  // them (symbolised text), else by matching words in order.
  function targetsFor(container, words, moved) {
    var buttons = wordButtons(container);
    if (buttons.length && buttons.every(function (b) { return b.hasAttribute("data-offset"); })) {
      return words.map(function (w) { return wordAt(buttons, w.offset, moved); });
    }
    var next = 0;
    return words.map(function (w) {
      var wanted = normalised(w.word);
      for (var i = next; i < Math.min(buttons.length, next + 3); i++) {
        if (normalised(buttons[i].getAttribute("data-say")).indexOf(wanted) === 0) {
          next = i + 1;
          return buttons[i];
        }
      }
      return null;
    });
  }

  function highlight(target) {
    if (!target || target.classList.contains("speaking")) { return; }
    clearHighlight(target.closest(".sym-text") || document);
    target.classList.add("speaking");
    if (target.scrollIntoView) {
      target.scrollIntoView({ block: "nearest", inline: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
    }
  }

  /* --- Server audio -------------------------------------------------------------------- */

  function fetchClip(text) {
    if (!clips[text]) {
      var payload = { text: text };
      var rate = speechRate();
      if (rate) { payload.rate = rate; }
      var voice = body.getAttribute("data-speech-voice");
      if (voice) { payload.voice = voice; }
      clips[text] = window.fetch(CLIP_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(payload)
      }).then(function (response) {
        if (!response.ok) {
          var error = new Error("clip request failed: " + response.status);
          error.status = response.status;
          throw error;
        }
        return response.json();
      });
      clips[text].catch(function () { delete clips[text]; });
    }
    return clips[text];
  }

  function playClip(clip, container, single, ask, moved) {
    var targets = container ? targetsFor(container, clip.words, moved) : [];
    var frame = null;
    var stopped = false;
    function tick() {
      var ms = audio.currentTime * 1000;
      for (var i = clip.words.length - 1; i >= 0; i--) {
        if (ms >= clip.words[i].start_ms) { highlight(targets[i]); break; }
      }
      if (!audio.paused && !audio.ended) { frame = window.requestAnimationFrame(tick); }
    }
    function finish() {
      if (stopped) { return; }
      stopped = true;
      if (frame) { window.cancelAnimationFrame(frame); }
      audio.removeEventListener("ended", finish);
      audio.removeEventListener("error", failed);
      clearHighlight(container);
      if (playing === handle) { playing = null; }
      handle.finished = true;
      if (handle.done) { handle.done(); }
    }
    function failed() { finish(); deviceSpeak(clip.text || "", container, single, ask, moved); }
    var handle = { stop: function () { audio.pause(); finish(); } };
    playing = handle;
    audio.addEventListener("ended", finish);
    audio.addEventListener("error", failed);
    audio.src = clip.audio_url;
    if (single) { highlight(single); }
    var started = audio.play();
    if (!started || !started.then) {
      frame = window.requestAnimationFrame(tick);
      heard();
      return Promise.resolve(handle);
    }
    return started.then(function () {
      if (!stopped) { frame = window.requestAnimationFrame(tick); }
      heard();
      return handle;
    }, function (error) {
      if (stopped) { return null; }  // interrupted by the next word: nothing to fall back for
      finish();
      if (error && error.name === "NotAllowedError") { throw error; }  // no gesture yet (iOS)
      return deviceSpeak(clip.text || "", container, single, ask, moved);
    });
  }

  /* --- The device's own voice, when the server cannot speak ------------------------------ */

  function pickVoice() {
    if (!("speechSynthesis" in window)) { return null; }
    var voices = window.speechSynthesis.getVoices();
    var lang = function (v) { return (v.lang || "").replace("_", "-").toLowerCase(); };
    return voices.filter(function (v) { return lang(v) === "en-gb"; })[0] ||
      voices.filter(function (v) { return lang(v).indexOf("en") === 0; })[0] || null;
  }

  if ("speechSynthesis" in window) {
    deviceVoice = pickVoice();
    window.speechSynthesis.addEventListener("voiceschanged", function () { deviceVoice = pickVoice(); });
  }

  var warned = [];  // the staff warnings shown here, hidden again once the server speaks
  function tellStaff(reason) {
    body.setAttribute("data-speech-fallback", "true");
    Array.prototype.forEach.call(document.querySelectorAll("[data-staff-warning]"), function (el) {
      if (el.hidden) { el.hidden = false; warned.push(el); }
    });
    if (window.console && window.console.warn) { window.console.warn("Using the device voice:", reason); }
  }

  /* --- The server again, once it may be back ---------------------------------------------
     While the server cannot speak, a press speaks at once with the device's voice, as ever.
     Now and then (the network back, the `online` event; or a few seconds since the server
     was last found down) the same press also asks the server for its clip, in the background,
     and never plays it: the device is saying those words already. If the server answers, the
     next press is the server's own voice again (and this text's clip is ready); if not, the
     device goes on speaking and a later press asks again. A press is never kept waiting for
     the server, and nothing is said twice. */

  function serverBack() {
    serverDown = false;
    body.removeAttribute("data-speech-fallback");
    warned.forEach(function (el) { el.hidden = true; });
    warned = [];
  }

  function tryServer(text) {
    if (trying || Date.now() - downAt < TRY_AGAIN_MS || navigator.onLine === false) { return; }
    trying = true;
    fetchClip(text).then(function () {
      trying = false;
      if (serverDown) { serverBack(); }
    }, function (error) {
      trying = false;
      // Still no server (no answer, or 503: no speech there): ask again later. Any other
      // answer (a text too long) is the server answering.
      if (!error.status || error.status === 503) { downAt = Date.now(); } else { serverBack(); }
    });
  }

  window.addEventListener("online", function () { downAt = 0; });

  function deviceSpeak(text, container, single, ask, moved) {
    if (!text) { return null; }
    if (!("speechSynthesis" in window)) { noSound(ask); return null; }
    var synth = window.speechSynthesis;
    synth.cancel();  // Safari queues and sometimes stalls without this
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "en-GB";
    deviceVoice = deviceVoice || pickVoice();
    if (deviceVoice) { utterance.voice = deviceVoice; }
    var rate = speechRate();
    if (rate) { utterance.rate = Math.max(0.5, Math.min(2, rate / 175)); }
    var buttons = container ? wordButtons(container) : [];
    utterance.onboundary = function (event) {
      if (event.name && event.name !== "word") { return; }
      // charIndex counts UTF-16 units; data-offset counts characters.
      highlight(wordAt(buttons, Array.from(text.slice(0, event.charIndex)).length, moved));
    };
    var handle = { stop: function () { synth.cancel(); finish(); } };
    var started = false;
    var waiting = null;
    function finish() {
      if (waiting) { window.clearTimeout(waiting); waiting = null; }
      clearHighlight(container);
      if (playing === handle) { playing = null; }
      handle.finished = true;
      if (handle.done) { handle.done(); }
    }
    utterance.onstart = function () { started = true; heard(); };
    utterance.onend = finish;
    utterance.onerror = function (event) {
      var current = playing === handle;
      finish();
      // Stopped for the next word (interrupted, canceled), or no gesture yet: not a lost voice.
      var cause = event && event.error;
      if (current && !started && !/^(interrupted|canceled|not-allowed)$/.test(cause || "")) { noSound(ask); }
    };
    playing = handle;
    if (single) { highlight(single); }
    synth.speak(utterance);
    if (!synth.getVoices().length) {
      // No voice on this device (or none loaded yet): if nothing has started by now, nothing will.
      waiting = window.setTimeout(function () {
        waiting = null;
        if (started || playing !== handle || synth.getVoices().length) { return; }
        handle.stop();
        noSound(ask);
      }, NO_VOICE_MS);
    }
    return handle;
  }

  /* --- No sound at all: the sign, and the speakers say so -------------------------------- */

  var NO_VOICE_MS = 1500;
  var SIGNS = "[data-no-sound-sign]";
  var SPEAKERS = "[data-read-to-me], [data-speak]";    // buttons whose picture is a speaker
  var ASKERS = SPEAKERS + ", button.sym-word, .sym-stop";  // what a pupil presses to hear words
  var silent = false;   // a press found no way to speak, and nothing has been heard since
  // The crossed-out speaker fetched now, while there is a network: "No sound" may first come
  // when there is none (a held "No internet" screen read out), and would show a broken picture.
  var firstSign = document.querySelector(SIGNS);
  if (firstSign && firstSign.getAttribute("data-muted-picture") && navigator.onLine !== false) {
    new Image().src = firstSign.getAttribute("data-muted-picture");
  }
  var pressed = null;   // { el, at }: the last speaker, word or sentence pressed
  var marked = null;
  var markTimer = null;

  // Noted before any other script handles the press (a capture listener on the window), so the
  // button is known whichever script then asks to speak.
  function notePress(event) {
    var target = event.target instanceof Element ? event.target : null;
    if (event.type === "keydown") {
      // Enter or Space on a sentence reads it (scan.js); on a button it becomes a click.
      if (!target || !target.matches(".sym-stop") || (event.key !== "Enter" && event.key !== " ")) { return; }
      pressed = { el: target, at: Date.now() };
      return;
    }
    var el = target && target.closest(ASKERS);
    pressed = el ? { el: el, at: Date.now() } : null;
  }
  window.addEventListener("click", notePress, true);
  window.addEventListener("keydown", notePress, true);

  function asker() {
    var el = pressed && Date.now() - pressed.at < 1000 ? pressed.el : null;
    pressed = null;
    return el;
  }

  function unmark() {
    if (markTimer) { window.clearTimeout(markTimer); markTimer = null; }
    if (marked) { marked.classList.remove("no-sound"); marked = null; }
  }

  function mute(speaker, picture, sign) {
    var img = speaker.querySelector("img");
    if (picture && img && !img.hasAttribute("data-sound-src")) {
      img.setAttribute("data-sound-src", img.getAttribute("src") || "");
      img.setAttribute("src", picture);
    }
    if (sign && sign.id && !speaker.hasAttribute("aria-describedby")) {
      speaker.setAttribute("aria-describedby", sign.id);
      speaker.setAttribute("data-no-sound-described", "");
    }
  }

  function unmute(speaker) {
    var img = speaker.querySelector("img[data-sound-src]");
    if (img) {
      img.setAttribute("src", img.getAttribute("data-sound-src"));
      img.removeAttribute("data-sound-src");
    }
    if (speaker.hasAttribute("data-no-sound-described")) {
      speaker.removeAttribute("aria-describedby");
      speaker.removeAttribute("data-no-sound-described");
    }
  }

  // A press that found no way to speak: show the sign (again, if it is up already), cross out
  // the speakers, and mark the button pressed for a moment.
  function noSound(ask) {
    if (!silent && window.console && window.console.warn) { window.console.warn("No way to speak on this device"); }
    silent = true;
    body.setAttribute("data-no-sound", "true");
    var signs = Array.prototype.slice.call(document.querySelectorAll(SIGNS));
    signs.forEach(function (sign) {
      sign.hidden = false;
      sign.classList.remove("nudge");
      void sign.offsetWidth;  // restart its one gentle flash (none with reduced motion)
      sign.classList.add("nudge");
    });
    var sign = signs[0] || null;
    var picture = sign ? sign.getAttribute("data-muted-picture") : null;
    Array.prototype.forEach.call(document.querySelectorAll(SPEAKERS), function (speaker) {
      mute(speaker, picture, sign);
    });
    var by = ask && ask.by;
    if (by && by.isConnected) {
      unmark();
      marked = by;
      by.classList.add("no-sound");
      markTimer = window.setTimeout(unmark, 3000);
    }
  }

  // Something was heard: the sign and the crossed-out speakers go.
  function heard() {
    if (!silent) { return; }
    silent = false;
    body.removeAttribute("data-no-sound");
    Array.prototype.forEach.call(document.querySelectorAll(SIGNS), function (sign) {
      sign.hidden = true;
      sign.classList.remove("nudge");
    });
    Array.prototype.forEach.call(document.querySelectorAll(SPEAKERS), unmute);
    unmark();
  }

  /* --- Speaking ------------------------------------------------------------------------ */

  function stop() {
    if (playing) { playing.stop(); }
    playing = null;
  }

  // Speak text; container (optional) holds the word buttons to highlight; single is the one
  // button to light while a single word is said; moved (optional) maps a word button to how far
  // its data-offset moves in this text. Resolves with a handle once speech starts; rejects
  // with NotAllowedError when the browser wants a gesture first.
  function speak(text, container, single, moved) {
    stop();
    var ask = { by: asker() };  // the button pressed for this, if it was
    text = (text || "").trim();
    if (!text) { return Promise.resolve(null); }
    if (serverDown || !window.fetch) {
      var said = deviceSpeak(text, container, single, ask, moved);
      if (serverDown) { tryServer(text); }
      return Promise.resolve(said);
    }
    return fetchClip(text).then(function (clip) {
      clip.text = text;
      return playClip(clip, container, single, ask, moved);
    }, function (error) {
      // 503 (no server speech) or no answer at all: use the device voice until the server
      // is found again (tryServer), and tell staff. Other refusals (e.g. text too long) fall
      // back for this text only.
      if (!error.status || error.status === 503) {
        serverDown = true;
        downAt = Date.now();
        tellStaff(error.message);
      }
      return deviceSpeak(text, container, single, ask, moved);
    });
  }

  // On the screen to be seen: laid out, and not kept as an empty place (visibility: hidden).
  function shown(el) {
    return el.getClientRects().length > 0 && window.getComputedStyle(el).visibility !== "hidden";
  }

  // A piece of what is read ends like a sentence, so the next follows after a space, not ". ":
  // as the server joins a screen's pieces (classroom/symbols/spoken.py), so that words light
  // up where it said they would be.
  function endsSentence(text) { return /[.!?:;]$/.test(text); }

  // A screen's buttons are said after its words: a row or button marked
  // data-say-with="<the container's id>" (More, Back, Send), as it is on the screen now.
  // Each is { said: its words, el: the part or control saying them }, in the order shown.
  // Marked "*" (Report a worry, Finished, Not now, a worry not sent yet): said after every
  // screen's words, last, so a pupil who cannot read hears what the buttons beside the screen
  // are; not from inside "Are you finished?", which leaves them out of reach (inert).
  function partsSaidWith(container) {
    if (!container.id) { return []; }
    var everywhere = container.closest("[role=dialog]") ? [] : Array.prototype.filter.call(
      document.querySelectorAll('[data-say-with="*"]'),
      function (el) { return !container.contains(el) && !el.closest("[inert]"); });
    var marked = Array.prototype.filter.call(
      document.querySelectorAll('[data-say-with="' + container.id + '"]'),
      shown).concat(Array.prototype.filter.call(everywhere, shown));
    var parts = [];
    marked.forEach(function (el) {
      if (marked.some(function (other) { return other !== el && other.contains(el); })) { return; }
      // A row says its buttons; a button, or a note with none in it, says itself; a part of
      // the screen shown a page at a time (a rule) says its own data-say.
      var own = el.getAttribute("data-say");
      var controls = own || el.matches("a, button") || !el.querySelector("a, button") ? [el]
        : Array.prototype.slice.call(el.querySelectorAll("a, button"));
      controls.forEach(function (control) {
        var said = (own || control.textContent || "").replace(/\s+/g, " ").trim();
        if (said && shown(control)) { parts.push({ said: said, el: control }); }
      });
    });
    return parts;
  }

  function reading(button, on) {
    button.classList.toggle("is-reading", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function readContainer(container, button) {
    if (button && button.classList.contains("is-reading")) {
      stop();
      reading(button, false);  // whatever happened to the speech, the button is free again
      return Promise.resolve(null);
    }
    var text = (container.getAttribute("data-say") || container.textContent).trim();
    var moved = new Map();
    var parts = partsSaidWith(container);
    parts.forEach(function (part) {
      text += endsSentence(text) ? " " : ". ";
      // A part whose words count from its own start (data-say-at, where that start is in
      // their count): they light up where it comes now. Offsets count characters.
      var from = part.el.getAttribute("data-say-at");
      if (from !== null) {
        var by = Array.from(text).length - parseInt(from, 10);
        Array.prototype.forEach.call(part.el.querySelectorAll(".sym-word"), function (b) {
          moved.set(b, by);
        });
      }
      text += part.said;
    });
    if (parts.length && !endsSentence(text)) { text += "."; }
    return speak(text, container, null, moved).then(function (handle) {
      // Speech that has already ended (a short clip, or audio that failed and fell back) must
      // not leave the button pressed: a press would then only stop what is not playing.
      if (handle && button && !handle.finished) {
        reading(button, true);
        handle.done = function () { reading(button, false); };
      }
      return handle;
    });
  }

  function containerFor(button) {
    var id = (button.getAttribute("data-read-to-me") || "").replace(/^#/, "");
    return id ? document.getElementById(id) : null;
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var reader = target && target.closest("[data-read-to-me]");
    if (reader) {
      var container = containerFor(reader);
      if (container) { readContainer(container, reader); }
      return;
    }
    var word = target && target.closest(".sym-word");
    if (word) { speak(word.getAttribute("data-say"), null, word); }
  });

  /* --- Auto-read: pupils who cannot find the button hear the page's text on arrival ----- */

  var pendingAutoRead = null;

  function autoRead() {
    var reader = document.querySelector("[data-read-to-me]");
    var container = document.querySelector("[data-auto-read-target]") || (reader && containerFor(reader));
    if (!container) { return; }
    readContainer(container, reader).catch(function () {
      // Blocked until the first touch (iOS): read then. A tap on a word still says that word.
      pendingAutoRead = function () { if (!playing) { readContainer(container, reader); } };
    });
  }

  if (body.getAttribute("data-auto-read") === "true") {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", autoRead);
    } else {
      autoRead();
    }
  }

  // busy: switch scanning (scan.js) waits for whatever is being said before moving on.
  window.classroomSpeech = { speak: speak, stop: stop, busy: function () { return playing !== null; } };
})();
