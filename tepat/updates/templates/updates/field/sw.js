/* Tepat field app service worker (issue 14). Scope: /lapangan/. Served by tepat.updates.views.field_app.
   The app shell and its static files are cached for offline use; the API is never cached (personal data
   lives only in the app's IndexedDB, erased on sign-out). Background Sync sends the queued visits. */
"use strict";
var VERSION = {{ version|safe }};
var ASSETS = {{ assets|safe }};
var CACHE = "tepat-lapangan-" + VERSION;
importScripts({{ store|safe }});  /* self.FieldStore: the same queue code as the page's */

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("tepat-lapangan-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }
  if (request.mode === "navigate" || url.pathname === ASSETS[0]) {
    // The shell: the network first (a fresh version when online), the cached one offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(ASSETS[0], copy); });
      }
      return response;
    }).catch(function () { return caches.match(ASSETS[0]); }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "tepat-visits") { return; }
  event.waitUntil(self.clients.matchAll({type: "window"}).then(function (windows) {
    if (windows.length) {  // an open app sends the queue itself and shows the results
      windows.forEach(function (w) { w.postMessage({type: "sync"}); });
      return;
    }
    return self.FieldStore.uploadQueue("/api/v1");
  }));
});
