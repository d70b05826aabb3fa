// Service worker of the volunteers' pages (served at /campaigns/sw.js, scope /campaigns/).
// Pages: network first, the last good copy when there is no signal (or the signal is too
// weak to answer in a few seconds). Static files: cache first (their names carry a hash).
// The API is never cached: the page queues logs in IndexedDB and sends them itself.
// Nothing answered with "Cache-Control: no-store" is kept either: session photos and exports
// are personal data, served by checked views under /campaigns/ (v2 drops what v1 kept).
const CACHE = "anquan-field-v2";
const PRECACHE = ["/campaigns/log/", "/campaigns/mine/"];
const SLOW_NETWORK_MS = 4000;

async function precache() {
  const cache = await caches.open(CACHE);
  for (const page of PRECACHE) {
    try {
      const response = await fetch(page, { credentials: "same-origin" });
      if (!mayKeep(response)) continue;
      const html = await response.clone().text();
      await cache.put(page, response);
      const assets = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll([...new Set(assets)]);
    } catch {
      // Offline while installing: pages are cached on their next visit instead.
    }
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function mayKeep(response) {
  const control = response.headers.get("Cache-Control") || "";
  return response.ok && !response.redirected && !/no-store/i.test(control);
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const key = new URL(request.url).pathname;
  const network = fetch(request).then((response) => {
    if (mayKeep(response)) cache.put(key, response.clone());
    return response;
  });
  const cached = await cache.match(key);
  if (!cached) return network;
  const slow = new Promise((resolve) => setTimeout(() => resolve(cached), SLOW_NETWORK_MS));
  return Promise.race([network.catch(() => cached), slow]);
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/campaigns/")) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  }
});
