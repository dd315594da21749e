// The counter's service worker: the counter page, its product list and its files kept in a versioned cache,
// so a counter opened once opens again with no network. The page and the balances are fetched from the
// network first (the copy is for when there is none); the fingerprinted static files from the cache first.
"use strict";
// Named by the script's address, which carries the fingerprints of the files it keeps: a release that
// changes any of them installs a new worker with a new cache, and the old one is deleted.
var CACHE = "ocop-counter-" + self.location.search;
var PAGE = /^\/salespoints\/\d+\/counter$/;
var BALANCES = /^\/api\/v1\/salespoints\/\d+\/balances$/;

function shell() {
  var params = new URL(self.location).searchParams;
  var page = params.get("page") || "";
  var files = (params.get("files") || "").split(",").filter(function (file) { return file.indexOf("/static/") === 0; });
  return PAGE.test(page) ? files.concat([page, "/api/v1/salespoints/" + page.split("/")[2] + "/balances"]) : files;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(shell()); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("ocop-counter-") === 0 && key !== CACHE; })
      .map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (PAGE.test(url.pathname) || BALANCES.test(url.pathname)) event.respondWith(networkFirst(request));
  else if (url.pathname.indexOf("/static/") === 0) event.respondWith(cacheFirst(request));
});
