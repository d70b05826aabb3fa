// Service worker of the course pages (served at /courses/sw.js, scope /courses/).
// A learner saves a course for offline reading from its page (course-offline.js): its pages,
// images and audio go into a cache of its own, named for the learner and the course, so
// learners sharing a phone keep theirs apart and a course is removed as a whole.
// Pages: network first, the saved copy when there is no signal (or it is too weak to answer in
// a few seconds); a saved page fetched again online is refreshed. Files: saved copy first.
// Nothing is kept here that was not saved on purpose, and nothing answered "no-store".
const META = "anquan-courses-meta";
const LEARNER_KEY = "/courses/__learner";
const PREFIX = "anquan-course:";
const SLOW_NETWORK_MS = 4000;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function mayKeep(response) {
  const control = response.headers.get("Cache-Control") || "";
  return response.ok && !response.redirected && !/no-store/i.test(control);
}

async function learner() {
  const meta = await caches.open(META);
  const found = await meta.match(LEARNER_KEY);
  return found ? found.text() : "";
}

async function savedCaches() {
  const who = await learner();
  if (!who) return [];
  const names = await caches.keys();
  return names.filter((name) => name.startsWith(`${PREFIX}${who}:`));
}

async function savedMatch(key) {
  for (const name of await savedCaches()) {
    const cache = await caches.open(name);
    const found = await cache.match(key, { ignoreSearch: true });
    if (found) return { cache, found };
  }
  return null;
}

function offlinePage() {
  const html =
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>没有网络 · No connection</title>" +
    '<main style="font:1.25rem/1.6 system-ui,sans-serif;padding:1.5rem;max-width:40rem">' +
    "<h1>现在没有网络</h1><p>这一页没有保存在手机上。有网络时再打开，或者回到已保存的课程。</p>" +
    '<p lang="en">No connection, and this page was not saved on this phone.</p>' +
    '<p><a href="/courses/my/">我的学习 · My learning</a></p></main></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function page(request) {
  const key = new URL(request.url).pathname;
  const saved = await savedMatch(key);
  const network = fetch(request).then((response) => {
    if (saved && mayKeep(response)) saved.cache.put(key, response.clone());
    return response;
  });
  if (!saved) return network.catch(() => offlinePage());
  const slow = new Promise((resolve) => setTimeout(() => resolve(saved.found), SLOW_NETWORK_MS));
  return Promise.race([network.catch(() => saved.found), slow]);
}

async function file(request) {
  const key = new URL(request.url).pathname;
  const saved = await savedMatch(key);
  if (saved) return saved.found;
  const anywhere = await caches.match(request);
  return anywhere || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/courses/")) {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/media/")) {
    event.respondWith(file(request));
  }
});
