// Courses without signal, on the course and lesson pages of a signed-in learner.
// - "Save this course for offline": shows the size first, then keeps the course's pages,
//   images and audio in a cache of its own (courses-sw.js serves them with no signal).
// - A lesson finished with no signal is queued in IndexedDB with a UUID, the learner walks on
//   to the next saved lesson, and the queue is sent when the signal is back. The server
//   records each UUID once (edu.offline), so a resend never counts twice.
// Learners sharing a phone: caches and queue entries carry the learner's id, and only that
// learner's pages read or send them. One module on purpose (hashed static names).
const root = document.querySelector("[data-offline-learner]");
const learner = root ? root.dataset.offlineLearner : "";
const API = "/api/v1/me/lesson-completions/";
const META = "anquan-courses-meta";
const PREFIX = "anquan-course:";
const DB_NAME = "anquan-learning";
const STORE = "completions";
const NOTE_KEY = "anquan-offline-note";
const say = (key) => (root && root.dataset[key]) || "";

// --- The queue ---------------------------------------------------------------------------------
function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: "client_uuid" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function mine() {
  const all = (await run("readonly", (store) => store.getAll())) || [];
  return all.filter((entry) => entry.learner === learner).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.split("=")[1]);
  const field = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return field ? field.value : "";
}

function announce(text) {
  const status = document.querySelector("[data-offline-status]");
  if (status && text) status.textContent = text;
}

let flushing = false;
async function flush() {
  if (flushing || !navigator.onLine || !learner) return;
  flushing = true;
  const notes = [];
  try {
    for (const entry of await mine()) {
      let response;
      try {
        response = await fetch(API, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(entry.body),
        });
      } catch {
        break; // no signal after all: try again on the next "online"
      }
      if (response.status === 401 || response.status === 403 || response.status === 429 || response.status >= 500) break;
      const result = response.ok ? await response.json() : null;
      await run("readwrite", (store) => store.delete(entry.client_uuid));
      if (result && result.outcome === "completed") notes.push(say("sent").replace("{title}", entry.title));
      else notes.push(say("checkFailed").replace("{title}", entry.title));
    }
  } finally {
    flushing = false;
  }
  if (notes.length) announce(notes.join(" "));
  await showQueued();
}

// --- Finishing a lesson without signal -----------------------------------------------------------
function answersOf(form) {
  const answers = {};
  for (const input of form.querySelectorAll("input[name^='q-']")) {
    const id = input.name.slice(2);
    answers[id] = answers[id] || [];
    if (input.checked) answers[id].push(Number(input.value));
  }
  return answers;
}

function watchLessonForm() {
  const form = document.querySelector("form[data-offline-lesson]");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    if (navigator.onLine) return; // the page's own form, answered by the server
    event.preventDefault();
    if (!form.reportValidity()) return;
    const body = {
      client_uuid: newUuid(),
      course: form.dataset.course,
      lesson: form.dataset.offlineLesson,
      answers: answersOf(form),
      served_token: form.querySelector("input[name=served_token]")?.value || "",
      completed_at: new Date().toISOString(),
    };
    await run("readwrite", (store) =>
      store.put({ client_uuid: body.client_uuid, learner, title: form.dataset.title || body.lesson, queued_at: body.completed_at, body }),
    );
    sessionStorage.setItem(NOTE_KEY, say("queued").replace("{title}", form.dataset.title || ""));
    window.location.assign(form.dataset.next);
  });
}

async function showQueued() {
  const entries = await mine();
  const queued = new Set(entries.map((entry) => `${entry.body.course}/${entry.body.lesson}`));
  for (const item of document.querySelectorAll("[data-offline-item]")) {
    const mark = item.querySelector("[data-offline-mark]");
    if (mark) mark.hidden = !queued.has(item.dataset.offlineItem);
  }
  const count = document.querySelector("[data-offline-queue]");
  if (count) {
    count.hidden = entries.length === 0;
    count.textContent = entries.length ? say("waiting").replace("{count}", String(entries.length)) : "";
  }
}

// --- Saving a course ---------------------------------------------------------------------------
const cacheName = (course) => `${PREFIX}${learner}:${course}`;

function megabytes(bytes) {
  return (Math.max(bytes, 100_000) / 1_000_000).toFixed(1);
}

async function isSaved(course) {
  return (await caches.keys()).includes(cacheName(course));
}

function staticAssets(html) {
  return [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
}

async function save(block) {
  const course = block.dataset.course;
  const status = block.querySelector("[data-offline-progress]");
  const manifest = await (await fetch(block.dataset.manifest, { credentials: "same-origin" })).json();
  const cache = await caches.open(cacheName(course));
  const urls = [...manifest.pages, ...manifest.assets];
  const assets = new Set();
  let done = 0;
  try {
    for (const url of urls) {
      // The header tells the server this page is saved, not read (no visit is recorded).
      const response = await fetch(url, { credentials: "same-origin", headers: { "X-Anquan-Saving": "1" } });
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      if (manifest.pages.includes(url)) staticAssets(await response.clone().text()).forEach((a) => assets.add(a));
      await cache.put(url, response);
      done += 1;
      status.textContent = say("saving").replace("{done}", String(done)).replace("{total}", String(urls.length));
    }
    for (const asset of assets) await cache.add(asset);
  } catch {
    await caches.delete(cacheName(course));
    status.textContent = say("saveFailed");
    return;
  }
  await render(block);
  status.textContent = say("saved");
}

async function render(block) {
  const saved = await isSaved(block.dataset.course);
  block.querySelector("[data-offline-save]").hidden = saved;
  block.querySelector("[data-offline-remove]").hidden = !saved;
  block.querySelector("[data-offline-saved]").hidden = !saved;
}

async function setUpSaving(block) {
  const button = block.querySelector("[data-offline-save]");
  const confirm = block.querySelector("[data-offline-confirm]");
  const size = block.querySelector("[data-offline-size]");
  block.hidden = false;
  await render(block);
  button.addEventListener("click", async () => {
    try {
      const manifest = await (await fetch(block.dataset.manifest, { credentials: "same-origin" })).json();
      size.textContent = say("size").replace("{size}", megabytes(manifest.bytes));
      confirm.hidden = false;
      confirm.querySelector("button").focus();
    } catch {
      block.querySelector("[data-offline-progress]").textContent = say("saveFailed");
    }
  });
  confirm.querySelector("button").addEventListener("click", async () => {
    confirm.hidden = true;
    await save(block);
  });
  block.querySelector("[data-offline-remove]").addEventListener("click", async () => {
    await caches.delete(cacheName(block.dataset.course));
    await render(block);
    block.querySelector("[data-offline-progress]").textContent = say("removed");
  });
}

async function start() {
  if (!learner || !("serviceWorker" in navigator) || !("caches" in window)) return;
  navigator.serviceWorker.register("/courses/sw.js", { scope: "/courses/" }).catch(() => {});
  // Which learner the worker serves saved pages for, when there is no signal to ask.
  const meta = await caches.open(META);
  await meta.put("/courses/__learner", new Response(learner));
  const note = sessionStorage.getItem(NOTE_KEY);
  if (note) {
    sessionStorage.removeItem(NOTE_KEY);
    announce(note);
  }
  const block = document.querySelector("[data-offline-course]");
  if (block) await setUpSaving(block);
  watchLessonForm();
  await showQueued();
  window.addEventListener("online", flush);
  await flush();
}

start();
