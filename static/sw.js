// The tablet's service worker (served as /sw.js, scope "/"). What it caches (see SECURITY.md):
// - "cchc-shell-<version>": the field screen's static assets (CSS, JS, icons, manifest);
// - "cchc-field": the field pages (/field, /field/<id>) and their JSON (/api/v1/inspections/today,
//   /api/v1/inspections/<id>) for the signed-in inspector's inspections that have not ended.
// Nothing else is ever cached: every other request goes to the network untouched. Signing in or
// out (POST /login, /logout) wipes "cchc-field". Writes (POST) are never cached or replayed here:
// the page's outbox (field-outbox.js, IndexedDB) owns them.
"use strict";

var VERSION = "v6";
var SHELL = "cchc-shell-" + VERSION;
var DATA = "cchc-field";
var SHELL_ASSETS = [
  "/static/css/app.css", "/static/js/app.js", "/static/js/field-net.js", "/static/js/field-outbox.js",
  "/static/js/field.js", "/static/js/field-local.js", "/static/js/field-checklist.js", "/static/js/field-inspection.js", "/static/js/field-minutes.js",
  "/static/js/signout-guard.js",
  "/static/img/icon.svg", "/static/img/bell.svg", "/static/img/icon-192.png", "/static/img/icon-512.png",
  "/manifest.webmanifest"
];
var FIELD_PAGE = /^\/field(\/\d+)?\/?$/;
var FIELD_API = /^\/api\/v1\/inspections\/(today|\d+)$/;
var WIPE_ON = /^\/(login|logout)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return Promise.all(SHELL_ASSETS.map(function (url) {
      return cache.add(new Request(url, {cache: "reload"})).catch(function () { /* optional asset */ });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("cchc-shell-") === 0 && n !== SHELL; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function wipe() {
  return caches.delete(DATA);
}

function today() {
  var d = new Date();
  return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
}

// A field page or its JSON is kept only when it is the real thing: 200, not a redirect to the
// sign-in page, and (for one inspection's JSON) an inspection that has not ended yet.
function keepable(response, path) {
  if (!response || response.status !== 200 || response.redirected) return Promise.resolve(false);
  if (!/^\/api\/v1\/inspections\/\d+$/.test(path)) return Promise.resolve(true);
  return response.clone().json().then(function (data) { return !data.end_on || data.end_on >= today(); },
                                      function () { return false; });
}

function store(request, response, path) {
  return keepable(response, path).then(function (keep) {
    if (!keep) return null;
    return caches.open(DATA).then(function (cache) { return cache.put(request, response.clone()); });
  });
}

// The start screen's list: keep each of today's inspections (page and JSON) for offline work.
function warmToday(response) {
  return response.clone().json().then(function (data) {
    var now = today();
    return Promise.all((data.inspections || []).filter(function (i) {
      return i.start_on <= now && i.end_on >= now;
    }).map(function (i) { return Promise.all([fetchAndStore("/field/" + i.id), fetchAndStore("/api/v1/inspections/" + i.id)]); }));
  }, function () { return null; });
}

function fetchAndStore(url) {
  var path = new URL(url, self.location.origin).pathname;
  if (!FIELD_PAGE.test(path) && !FIELD_API.test(path)) return Promise.resolve(null);
  var request = new Request(url, {credentials: "same-origin", headers: {Accept: path.indexOf("/api/") === 0 ? "application/json" : "text/html"}});
  return fetch(request).then(function (response) {
    return store(new Request(url), response, path);
  }, function () { return null; });
}

// Network first (fresh data when there is signal); the kept copy when there is none.
function networkFirst(event, path) {
  return fetch(event.request).then(function (response) {
    var work = store(new Request(event.request.url), response, path);
    if (path === "/api/v1/inspections/today") work = work.then(function () { return warmToday(response); });
    event.waitUntil(work);
    return response;
  }, function (error) {
    return caches.match(event.request.url, {cacheName: DATA}).then(function (hit) {
      if (hit) return hit;
      throw error;
    });
  });
}

// Static assets: the kept copy at once, refreshed in the background.
function staleWhileRevalidate(event) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(event.request, {ignoreSearch: true}).then(function (hit) {
      var fresh = fetch(event.request).then(function (response) {
        if (response.status === 200) cache.put(event.request, response.clone());
        return response;
      });
      if (hit) {
        event.waitUntil(fresh.catch(function () { return null; }));
        return hit;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  if (event.request.method === "POST" && WIPE_ON.test(url.pathname)) {
    event.waitUntil(wipe());
    return;
  }
  if (event.request.method !== "GET") return;
  if (FIELD_PAGE.test(url.pathname) || FIELD_API.test(url.pathname)) {
    event.respondWith(networkFirst(event, url.pathname));
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staleWhileRevalidate(event));
  }
});

// The page asks to keep the inspection it shows (it was loaded before this worker controlled it),
// or to wipe everything kept (a sign-out).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep" && Array.isArray(data.urls)) {
    event.waitUntil(Promise.all(data.urls.map(fetchAndStore)));
  } else if (data.type === "wipe") {
    event.waitUntil(wipe());
  }
});
