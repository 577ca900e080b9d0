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

  function sendOne(item) {
    return fetch(queueUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ envelope: item.envelope })
    }).then(function (response) {
      // 201 received, 200 already received: either way the server has it.
      if (response.status === 200 || response.status === 201) { return remove(item.key); }
      return null;
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

  window.classroomWorryOutbox = {
    save: function (key, envelope) {
      return run("readwrite", function (store) {
        return store.put({ key: key, envelope: envelope, saved: Date.now() });
      });
    },
    flush: flush,
    pending: function () { return all().then(function (items) { return items.length; }); }
  };
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });
  window.setInterval(flush, 20000);
  flush();
})();
