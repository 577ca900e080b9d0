/* Worries saved on this iPad, sent until the server confirms them.
 *
 * iPad Safari has no background sync, so every pupil page (and the class start screen) tries
 * again: on load, when the network returns, when the page is shown again, and every 20 seconds.
 * What is stored is already encrypted to the server's key (see worry.js); this file never sees
 * what a pupil said. A report is removed only after the server answers that it has it.
 */
(function () {
  "use strict";
  var DB = "classroom", STORE = "worries";
  var script = document.getElementById("worry-outbox");
  if (!script || !window.indexedDB) { return; }
  var queueUrl = script.getAttribute("data-queue-url");
  var sending = false;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function remove(key) { return run("readwrite", function (store) { return store.delete(key); }); }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function showPending(count) {
    var note = document.querySelector("[data-worry-pending]");
    if (note) { note.hidden = count === 0; }
  }

  // A server that takes the connection and never answers (hung, or out of reach on a network
  // that does not say so) would hold every later try on this page: each try gives up after
  // this, and the next one sends it again (its key makes it one worry however often it is sent).
  var SEND_MS = 30000;

  function sendOne(item) {
    var stop = window.AbortController ? new window.AbortController() : null;
    var timer = stop ? window.setTimeout(function () { stop.abort(); }, SEND_MS) : null;
    return fetch(queueUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ envelope: item.envelope }),
      signal: stop ? stop.signal : undefined
    }).then(function (response) {
      window.clearTimeout(timer);
      // 201 received, 200 already received: either way the server has it.
      if (response.status === 200 || response.status === 201) { return remove(item.key); }
      return null;
    }, function (error) {
      window.clearTimeout(timer);
      throw error;
    });
  }

  function flush() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return all().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item); }).catch(function () { return null; });
      }, Promise.resolve());
    }).then(all).then(function (left) { showPending(left.length); })
      .catch(function () { return null; })
      .then(function () { sending = false; });
  }

  function b64(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i += 1) { text += String.fromCharCode(bytes[i]); }
    return window.btoa(text);
  }

  /* Seal `payload` to the server's public key (`jwk`, JSON text): only the server can open it. */
  function seal(jwk, payload) {
    var subtle = window.crypto.subtle;
    var aesKey, iv = window.crypto.getRandomValues(new Uint8Array(12));
    return subtle.importKey("jwk", JSON.parse(jwk), { name: "RSA-OAEP", hash: "SHA-256" }, false,
      ["encrypt"])
      .then(function (publicKey) {
        return subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"])
          .then(function (key) { aesKey = key; return subtle.exportKey("raw", key); })
          .then(function (raw) { return subtle.encrypt({ name: "RSA-OAEP" }, publicKey, raw); });
      })
      .then(function (wrapped) {
        var data = new TextEncoder().encode(JSON.stringify(payload));
        return subtle.encrypt({ name: "AES-GCM", iv: iv }, aesKey, data).then(function (sealed) {
          return { v: "1", k: b64(wrapped), iv: b64(iv), c: b64(sealed) };
        });
      });
  }

  var outbox = window.classroomWorryOutbox = {
    save: function (key, envelope) {
      return run("readwrite", function (store) {
        return store.put({ key: key, envelope: envelope, saved: Date.now() });
      });
    },
    seal: seal,
    flush: flush,
    pending: function () { return all().then(function (items) { return items.length; }); }
  };
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  window.setInterval(flush, 20000);
  flush();

  /* Report a worry tapped with no network, on any pupil screen but a lesson's (player.js holds
   * that tap itself and opens the flow once the server answers). The worry flow is a page, and
   * no page is kept on a shared iPad, so the tap would land on the browser's own error page:
   * words only, no symbols, no speech, no way back, and the worry never told. Instead this
   * screen says "No internet. Tell a trusted adult." in symbols and speech (templates/ipad/_chrome.html,
   * worry_offline), and one big "I have a worry" keeps a worry with its steps skipped, sealed,
   * in this outbox: for the pupil the screen was rendered for (whoever is signed in when it is
   * sent), with the screen and time it was told, under one key however often it is sent. With
   * the network back before that, the tap goes on to the worry flow as ever. "No network" is the
   * iPad's own word (navigator.onLine, false once the Wi-Fi drops): any other tap is left to the
   * browser, so a worry opens as quickly as ever. With the Wi-Fi up but the server down or out
   * of reach the iPad says it is on line, so the tap goes; the class iPad's service worker then
   * finds no server and asks this screen to say so (app.js, "classroom:unreachable"): the same
   * panel, and the flow opens once the server answers again (asked every few seconds).
   */
  var panel = document.getElementById("worry-offline");
  var askScreen = document.getElementById("worry-offline-ask");
  var thanksScreen = document.getElementById("worry-offline-thanks");
  if (!panel || !askScreen || !thanksScreen) { return; }
  var canKeep = Boolean(window.crypto && window.crypto.subtle && window.TextEncoder);
  // The panel's pictures fetched now, while there is a network, so that the service worker has
  // them when there is none: a template's pictures are not loaded until it is shown.
  if (navigator.onLine !== false) {
    [askScreen, thanksScreen].forEach(function (screen) {
      Array.prototype.forEach.call(screen.content.querySelectorAll("img[src]"), function (img) {
        new Image().src = img.getAttribute("src");
      });
    });
  }
  var wanted = null;  // the worry flow's URL while the panel asks; null once told or closed
  var keeping = null;  // the promise of the worry being kept, once "I have a worry" is pressed
  var madeInert = [], opener = null, beforeIdle;

  function put(screen) {
    panel.replaceChildren(screen.content.cloneNode(true));
    var part = panel.firstElementChild;
    var tell = part.querySelector("[data-worry-offline-tell]");
    if (tell && !canKeep) { tell.hidden = true; }  // nothing kept that could not be kept safely
    var words = part.querySelector(".sym-text");
    if (words) { words.setAttribute("tabindex", "-1"); words.focus(); }
    var read = part.querySelector("[data-read-to-me]");
    if (read && document.body.getAttribute("data-auto-read") === "true") { read.click(); }
    document.dispatchEvent(new CustomEvent("classroom:screen", { detail: part }));
  }

  function showPanel(href, button) {
    wanted = href;
    opener = button;
    keeping = null;
    panel.hidden = false;
    madeInert = Array.prototype.filter.call(document.body.children, function (el) {
      return el !== panel && !el.hasAttribute("inert") && el.tagName !== "SCRIPT";
    });
    madeInert.forEach(function (el) { el.setAttribute("inert", ""); });
    // Left on this screen (app.js's idle time), the worry is kept all the same, as the worry
    // flow keeps one left unsent: the pupil pressed Report a worry, and may manage no more.
    beforeIdle = window.classroomBeforeIdle;
    window.classroomBeforeIdle = function () {
      return (wanted === null ? Promise.resolve() : keep(true)).catch(function () { return null; });
    };
    put(askScreen);
  }

  function hidePanel() {
    wanted = null;
    panel.hidden = true;
    panel.replaceChildren();
    madeInert.forEach(function (el) { el.removeAttribute("inert"); });
    madeInert = [];
    window.classroomBeforeIdle = beforeIdle;
    if (opener && opener.isConnected) { opener.focus(); }
    document.dispatchEvent(new CustomEvent("classroom:screen",
      { detail: document.getElementById("main") }));
  }

  function uuid() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16)), hex = "";
    bytes[6] = (bytes[6] & 15) | 64;
    bytes[8] = (bytes[8] & 63) | 128;
    for (var i = 0; i < 16; i += 1) { hex += (bytes[i] + 256).toString(16).slice(1); }
    return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
  }

  // One worry per "I have a worry": a second press (or the idle time after it) keeps no other.
  function keep(left) {
    if (keeping) { return keeping; }
    var data = {
      key: uuid(), reporter: panel.getAttribute("data-reporter"),
      pupil_id: parseInt(panel.getAttribute("data-pupil"), 10),
      what: null, where: null, feeling: null, talk_to: null, words: null,
      saved_at: new Date().toISOString(), offline_from: panel.getAttribute("data-from")
    };
    if (left) { data.left = true; }
    keeping = seal(panel.getAttribute("data-public-key"), data)
      .then(function (envelope) { return outbox.save(data.key, envelope); })
      .then(function () { return flush(); })
      .then(function () { return outbox.pending().then(showPending); });
    return keeping;
  }

  panel.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-worry-offline-close")) { hidePanel(); return; }
    if (!button.hasAttribute("data-worry-offline-tell") || keeping) { return; }
    button.disabled = true;
    keep(false).then(function () {
      wanted = null;  // told: the network coming back does not open the flow over the thanks
      put(thanksScreen);
    }, function () {
      keeping = null;  // not kept (storage refused): the pupil can press again
      button.disabled = false;
    });
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); hidePanel(); }
  });

  // With no network the panel; otherwise the tap is left to the browser, as ever.
  window.addEventListener("online", function () {
    if (wanted !== null && !keeping) { window.location.assign(wanted); }
  });

  // The tap went, and found no server (the service worker left the browser on this screen).
  var CHECK_MS = 5000, checking = null;
  function waitForServer() {
    if (checking !== null) { return; }
    checking = window.setTimeout(function ask() {
      window.fetch(panel.getAttribute("data-check-url"), {
        cache: "no-store", credentials: "same-origin"
      }).then(function () {
        checking = null;
        if (wanted !== null && !keeping) { window.location.assign(wanted); }
      }, function () {
        checking = wanted !== null && !keeping ? window.setTimeout(ask, CHECK_MS) : null;
      });
    }, CHECK_MS);
  }
  document.addEventListener("classroom:unreachable", function (event) {
    var button = document.querySelector("a.worry-button[href]");
    if (event.defaultPrevented || !button ||
        new URL(event.detail.url).pathname !== new URL(button.href).pathname) {
      return;
    }
    event.preventDefault();
    if (panel.hidden) { showPanel(event.detail.url, button); }
    waitForServer();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.worry-button[href]");
    if (!link || event.defaultPrevented || navigator.onLine !== false || event.button > 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    showPanel(link.href, link);
  });
})();
