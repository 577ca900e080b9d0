/* The "Report a worry" flow: one question at a time, every step skippable, "Send" always near.
 *
 * Without this script the page is one plain form that works on its own. With it, the choices
 * become big buttons (touch, keyboard and switch: Space or Enter), and sending first saves the
 * report on the iPad, sealed with the server's public key, so a dropped connection loses nothing.
 */
(function () {
  "use strict";
  var form = document.getElementById("worry-form");
  if (!form) { return; }
  // A shared iPad: the browser must never bring back what someone typed or chose here before
  // (form restoration on Back, or a page kept in memory). Start from what the server rendered.
  form.reset();
  var steps = Array.prototype.slice.call(form.querySelectorAll(".worry-step"));
  var current = 0;
  var answers = {};

  // Sealed with the server's public key (worry-outbox.js): only the server can open it.
  function seal(payload) {
    return window.classroomWorryOutbox.seal(form.getAttribute("data-public-key"), payload);
  }

  function show(index) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach(function (step, i) { step.hidden = i !== current; });
    // Back, Skip and Send are said after the question on screen (its Read to me).
    form.querySelector(".worry-send").setAttribute("data-say-with", steps[current].id);
    form.querySelector(".worry-nav .back").hidden = current === 0;
    form.querySelector(".worry-nav .skip").hidden = current === steps.length - 1;
    // Focus on the question, never on an answer (a ringed answer looks chosen already): a screen
    // reader says the question, and Tab goes on to its answers. A sentence is a Tab stop anyway
    // (scan.js, which runs later). The last step too: focus in its text box would raise the
    // iPad's keyboard over the screen for a pupil who cannot type, so the pupil goes to the box
    // (a tap, Tab, or a switch choosing it) only if they want to. Switch scanning starts on the
    // answers all the same, and on the last step on the box, the screen's content, which a
    // switch chooses, then leaves with a press before any typing (scan.js, on classroom:screen).
    var question = steps[current].querySelector("legend");
    if (question && !question.hasAttribute("tabindex")) { question.setAttribute("tabindex", "0"); }
    if (question) { question.focus(); }
    document.dispatchEvent(new CustomEvent("classroom:screen", { detail: steps[current] }));
  }

  function makeButtons(step) {
    step.querySelectorAll("label.choice-card").forEach(function (label) {
      var input = label.querySelector("input");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "choice-card";
      button.setAttribute("aria-pressed", input.checked ? "true" : "false");
      button.setAttribute("data-value", input.value);
      while (label.firstChild) {
        if (label.firstChild !== input) { button.appendChild(label.firstChild); } else { label.removeChild(input); }
      }
      button.addEventListener("click", function () {
        answers[input.name] = input.value;
        step.querySelectorAll("button.choice-card").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        show(current + 1);
      });
      label.parentNode.replaceChild(button, label);
      if (input.checked) { answers[input.name] = input.value; }
    });
  }

  function navButton(className, text, symbol, handler) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pupil-button " + className;
    var img = document.createElement("img");
    img.src = "/symbols/" + symbol + ".svg";
    img.alt = "";
    var span = document.createElement("span");
    span.textContent = text;
    button.appendChild(img);
    button.appendChild(span);
    button.addEventListener("click", handler);
    return button;
  }

  function payload() {
    var words = form.querySelector("textarea[name=words]").value.trim();
    var talkTo = answers.talk_to ? parseInt(answers.talk_to, 10) : null;
    return {
      key: form.querySelector("input[name=key]").value,
      // The server's own token for this screen: a worry sent after the iPad was revoked is
      // still heard if this screen was opened before then.
      reporter: form.querySelector("input[name=reporter]").value,
      pupil_id: parseInt(form.getAttribute("data-pupil"), 10),
      what: answers.what || null, where: answers.where || null, feeling: answers.feeling || null,
      talk_to: talkTo, words: words || null, saved_at: new Date().toISOString()
    };
  }

  function thanksUrl(key) {
    var back = form.getAttribute("data-back");
    return form.getAttribute("data-thanks-url") + "?key=" + encodeURIComponent(key) +
      (back ? "&back=" + encodeURIComponent(back) : "");
  }

  function thanksHere(key) {
    // Offline: say thank you on this page, with its symbols, Read to me and the ways on (the
    // page holds it ready: #offline-thanks); the saved worry goes when the network is back.
    var main = document.getElementById("main");
    var ready = document.getElementById("offline-thanks");
    var button = document.getElementById("offline-worry-button");  // in main: taken first
    main.replaceChildren(ready.content.cloneNode(true));
    var notNow = document.querySelector(".worry-rail .not-now");
    if (notNow && button) { notNow.replaceWith(button.content.cloneNode(true)); }
    window.history.replaceState(window.history.state, "", thanksUrl(key));
    var words = main.querySelector(".sym-text, h1");
    if (words) { words.setAttribute("tabindex", "-1"); words.focus(); }
    document.dispatchEvent(new CustomEvent("classroom:screen", { detail: main }));
  }

  function thanks(key) {
    // The server names the adult only to the pupil visit that sent this worry.
    var url = thanksUrl(key);
    window.classroomWorryOutbox.pending().then(function (count) {
      if (count > 0) { thanksHere(key); return; }
      // Received; but the pupil's session may have ended while they told it (the school day's
      // end, say), and the thank-you page is for a signed-in pupil only: it would send them to
      // the class tiles, with no word that anyone heard. Then thank them here.
      window.fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (answer) {
        if (answer.ok) {
          window.location.replace(url);  // replace: the worry page leaves no history entry behind
        } else {
          thanksHere(key);
        }
      }, function () { thanksHere(key); });
    }, function () { window.location.replace(url); });
  }

  function plainSubmit() {
    // No way to keep it safely on this iPad: send the plain form (it is idempotent too).
    form.querySelectorAll("input.js-answer").forEach(function (el) { el.remove(); });
    Object.keys(answers).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = answers[name];
      input.className = "js-answer";
      form.appendChild(input);
    });
    HTMLFormElement.prototype.submit.call(form);
  }

  var sending = false;

  function send(event) {
    if (event) { event.preventDefault(); }
    sending = true;
    var outbox = window.classroomWorryOutbox;
    var data = payload();
    if (!(window.crypto && window.crypto.subtle && outbox)) { plainSubmit(); return; }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    seal(data)
      .then(function (envelope) { return outbox.save(data.key, envelope); })
      .then(function () {
        var done = function () { thanks(data.key); };
        return outbox.flush().then(done, done);
      }, plainSubmit);
  }

  // The iPad left on this screen (app.js's idle time): what the pupil chose and typed is sent,
  // never thrown away with the session, marked so the team knows Send was not pressed. Even
  // nothing chosen is sent: the pupil pressed Report a worry, and may not have managed more.
  // Saved sealed on the iPad first, as a Send is; app.js signs the pupil out once it is kept.
  window.classroomBeforeIdle = function () {
    var outbox = window.classroomWorryOutbox;
    if (sending || !(window.crypto && window.crypto.subtle && outbox)) {
      return Promise.resolve();
    }
    sending = true;
    var data = payload();
    data.left = true;
    var settle = new Promise(function (resolve) { window.setTimeout(resolve, 8000); });
    return seal(data)
      .then(function (envelope) { return outbox.save(data.key, envelope); })
      .then(function () { return Promise.race([outbox.flush(), settle]); })
      .catch(function () { return null; });
  };

  steps.forEach(makeButtons);
  var nav = document.createElement("div");
  nav.className = "worry-nav";
  nav.appendChild(navButton("back", "Back", "2B05", function () { show(current - 1); }));
  nav.appendChild(navButton("skip", "Skip", "23ED", function () { show(current + 1); }));
  var sendArea = form.querySelector(".worry-send");
  sendArea.insertBefore(nav, sendArea.firstChild);
  form.addEventListener("submit", send);
  form.classList.add("stepped");
  show(0);
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    form.reset();
    answers = {};
    form.querySelectorAll("button.choice-card").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    show(0);
  });
})();
