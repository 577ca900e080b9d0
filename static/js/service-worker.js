/* The class iPad's service worker: static files, symbol pictures and speech clips come from the
 * iPad's own cache, so screens appear at once on weak Wi-Fi. Served from /sw.js (scope: the
 * whole site) and registered by app.js on pupil pages. No framework; no inline script (CSP).
 *
 * It keeps, cache first, only URLs that name one file forever:
 *   /static/...?v=<hash>      CSS, JS and icons (static_url versions every one)
 *   /symbols/<code>.svg       symbol pictures (no personal data; the server caches them a year),
 *                             never a school's own picture (/symbols/pic-<hex>.svg), which may be
 *                             a pupil's photo: the server marks those private, no-store too
 *   /speech/audio/<key>.mp3   speech clips (a key names one text, voice and rate)
 * Everything else is never kept and goes to the network as if there were no service worker:
 * every page (navigation), every JSON answer, every POST (the worry outbox, Finished, sign-in
 * and sign-out). So no page with personal data is ever kept here, and a response the server
 * marks no-store is not kept even if its URL matched.
 *
 * One thing more, for a page (a navigation) only, and only when the network fails: with the
 * Wi-Fi up but the school's server down or out of reach, a tap on a pupil screen would land on
 * the browser's own error page (words only, no symbols, no speech, no way back; a worry never
 * told). So a navigation goes to the network through here, untouched; any answer the server
 * gives (even an error) is the page, as ever, and nothing is kept. If no answer comes at all,
 * the pupil screen that was open is asked whether it can say so itself (app.js: Report a worry
 * offers "I have a worry", a lesson tap is kept and made once the server answers, any other
 * tap says "No internet. Ask an adult." and goes once it answers). If it can, the answer is
 * 204 No Content, which leaves the browser on that screen; if not (a staff page, no pupil
 * screen open, no answer in time) it is the network's error, as without a service worker.
 */
"use strict";

// Files v2: v1 kept school pictures (pic-), which may be a pupil's photo; activating v2 drops
// that cache whole (below), and with it every picture the next person could be shown.
var FILES = "classroom-files-v2";
var SPEECH = "classroom-speech-v1";
// Bounds, so an iPad used for years never fills up: the oldest entries go first.
var LIMITS = {};
LIMITS[FILES] = 3000;
LIMITS[SPEECH] = 1500;

var SYMBOL = /^\/symbols\/(?:[0-9A-F]{2,6}(?:-[0-9A-F]{2,6})*|(?!pic-)[a-z0-9][a-z0-9-]{1,40})\.svg$/;
var CLIP = /^\/speech\/audio\/[0-9a-f]{64}\.mp3$/;

/* Which cache a request belongs in, or null for "leave it to the network". */
function cacheFor(request) {
  if (request.method !== "GET" || request.mode === "navigate") { return null; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return null; }
  if (url.pathname.indexOf("/static/") === 0 && /^\?v=[0-9a-f]+$/.test(url.search)) { return FILES; }
  if (url.search) { return null; }
  if (SYMBOL.test(url.pathname)) { return FILES; }
  if (CLIP.test(url.pathname)) { return SPEECH; }
  return null;
}

function keepable(response) {
  var control = response.headers.get("Cache-Control") || "";
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    !/no-store/i.test(control);
}

/* Audio elements ask for byte ranges (Safari insists on 206 answers): slice the whole file. */
function answer(request, response) {
  var range = request.headers.get("Range");
  var parts = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!parts || response.status !== 200 || (parts[1] === "" && parts[2] === "")) {
    return response;
  }
  return response.arrayBuffer().then(function (buffer) {
    var size = buffer.byteLength;
    var start = parts[1] === "" ? Math.max(size - parseInt(parts[2], 10), 0) : parseInt(parts[1], 10);
    var end = parts[1] === "" || parts[2] === "" ? size - 1 : Math.min(parseInt(parts[2], 10), size - 1);
    if (start >= size || end < start) {
      return new Response("", { status: 416, headers: { "Content-Range": "bytes */" + size } });
    }
    return new Response(buffer.slice(start, end + 1), {
      status: 206,
      statusText: "Partial Content",
      headers: {
        "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
        "Content-Range": "bytes " + start + "-" + end + "/" + size,
        "Content-Length": String(end - start + 1),
        "Accept-Ranges": "bytes"
      }
    });
  });
}

/* Speech is kept only for what pupil screens say (lessons, home, the class tiles): not for staff
   pages, which may read out anything an adult typed, and not for the worry flow, whose thank-you
   names the adult a pupil chose. */
var SPEAKING_PAGE = /^\/(class-ipad|pupil\/(?!worry)|pupil$)/;

function mayKeep(event, name) {
  if (name !== SPEECH) { return Promise.resolve(true); }
  return self.clients.get(event.clientId).then(function (client) {
    return Boolean(client) && SPEAKING_PAGE.test(new URL(client.url).pathname);
  }, function () { return false; });
}

function cacheFirst(event, name) {
  var request = event.request;
  return caches.open(name).then(function (cache) {
    return cache.match(request.url, { ignoreVary: true }).then(function (hit) {
      if (hit) { return answer(request, hit); }
      // The whole file (no Range), so what is kept can answer any later range.
      return fetch(request.url, { credentials: "same-origin" }).then(function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          event.waitUntil(mayKeep(event, name).then(function (keep) {
            return keep ? cache.put(request.url, copy).then(tidySoon) : null;
          }).catch(function () { return null; }));
        }
        return answer(request, response);
      });
    });
  });
}

/* Older versions of a static file are never asked for again; past the bound, the oldest go. */
function tidy(name) {
  return caches.open(name).then(function (cache) {
    return cache.keys().then(function (requests) {
      var newest = {};
      requests.forEach(function (r) { newest[new URL(r.url).pathname] = r.url; });
      var isStale = function (r) { return newest[new URL(r.url).pathname] !== r.url; };
      var stale = requests.filter(isStale);
      var fresh = requests.filter(function (r) { return !isStale(r); });
      var over = fresh.slice(0, Math.max(fresh.length - LIMITS[name], 0));
      return Promise.all(stale.concat(over).map(function (r) { return cache.delete(r); }));
    });
  });
}

var tidying = null;
function tidySoon() {
  if (!tidying) {
    tidying = new Promise(function (resolve) { setTimeout(resolve, 2000); })
      .then(function () { return Promise.all([tidy(FILES), tidy(SPEECH)]); })
      .catch(function () { return null; })
      .then(function () { tidying = null; });
  }
  return tidying;
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("classroom-") === 0 && name !== FILES && name !== SPEECH;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () {
    var preload = self.registration.navigationPreload;
    return preload ? preload.enable().catch(function () { return null; }) : null;
  }).then(function () { return self.clients.claim(); }));
});

/* The pupil screens (as SPEAKING_PAGE, and the worry flow): only these are asked to say that
   the server could not be reached. */
var PUPIL_PAGE = /^\/(class-ipad|pupil)(\/|$)/;
var ASK_MS = 2000;  // a live pupil screen answers at once: this only bounds a frozen one

/* Whether an open pupil screen says itself that `request` found no server. Each is asked on a
   channel of its own; any "shown" is enough. */
function shownByPage(request) {
  return self.clients.matchAll({ type: "window" }).then(function (windows) {
    var asked = windows.filter(function (client) {
      return PUPIL_PAGE.test(new URL(client.url).pathname);
    }).map(function (client) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data === "shown"); };
        setTimeout(function () { resolve(false); }, ASK_MS);
        client.postMessage({ type: "classroom:unreachable", url: request.url,
          method: request.method }, [channel.port2]);
      });
    });
    return Promise.all(asked);
  }).then(function (answers) { return answers.indexOf(true) >= 0; }, function () { return false; });
}

// The page is asked for at once, as the tap is made, not after this worker has woken
// (navigation preload, enabled on activate): a tap with the server up is as quick as ever.
function navigate(event) {
  var request = event.request;
  return Promise.resolve(event.preloadResponse).then(function (preloaded) {
    return preloaded || fetch(request);
  }).catch(function (error) {
    return shownByPage(request).then(function (shown) {
      if (!shown) { throw error; }
      return new Response(null, { status: 204, statusText: "No Content" });
    });
  });
}

self.addEventListener("fetch", function (event) {
  if (event.request.mode === "navigate") {
    var url = new URL(event.request.url);
    if (url.origin === self.location.origin) { event.respondWith(navigate(event)); }
    return;
  }
  var name = cacheFor(event.request);
  if (name) { event.respondWith(cacheFirst(event, name)); }
});
