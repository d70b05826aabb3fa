// Volunteers' pages: queue logs on the phone first, then send them when there is signal.
// The sync API is idempotent (client_uuid, client photo id), so resending is always safe.
// One module on purpose: hashed static names would break a relative import between files.

// The offline queue of session logs, in IndexedDB: it survives reloads, a closed browser
// and a restarted phone. Each entry is {client_uuid, body, photos: [{id, name, blob, sent,
// error}], queued_at, error, author}. Photos are kept as Blobs, so nothing is sent twice or
// lost. ``author`` is the signed-in account's id: only that account's pages send the entry.
// A rejected log corrected on the phone is queued under its own client_uuid with
// ``revision`` (made when it is saved, so resending it changes the log once) and
// ``remove_photos`` (client photo ids to take off).
const DB_NAME = "anquan-field";
const STORE = "queue";

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

function queuePut(entry) {
  return run("readwrite", (store) => store.put(entry));
}

function queueDelete(clientUuid) {
  return run("readwrite", (store) => store.delete(clientUuid));
}

async function queueAll() {
  const entries = (await run("readonly", (store) => store.getAll())) || [];
  return entries.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- The page ------------------------------------------------------------------------------
const API = "/api/v1/campaign-sessions";
const form = document.querySelector("[data-session-form]");
const list = document.querySelector("[data-queue]");
const section = document.querySelector("[data-queue-section]");
const empty = document.querySelector("[data-queue-empty]");
const status = document.querySelector("[data-sync-status]");
const saveState = document.querySelector("[data-save-state]");
const queueState = document.querySelector("[data-queue-state]");
const text = (key, fallback) => (status && status.dataset[key]) || fallback;
// Who is signed in on this page: a log waits on the phone for the volunteer who wrote it,
// even if someone else signs in on the same phone before the signal comes back.
const author = (status && status.dataset.author) || "";
const othersEntry = (entry) => Boolean(entry.author && author && entry.author !== author);
let inFlight = null; // the flush under way, if any

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/campaigns/sw.js", { scope: "/campaigns/" }).catch(() => {});
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.split("=")[1]);
  const field = document.querySelector('input[name="csrfmiddlewaretoken"]');
  return field ? field.value : "";
}

function say(message) {
  if (status) status.textContent = message;
}

async function render() {
  if (!list) return;
  const entries = await queueAll();
  list.replaceChildren();
  for (const entry of entries) {
    const item = document.createElement("li");
    item.className = "queue-item";
    item.dataset.clientUuid = entry.client_uuid;
    const title = document.createElement("strong");
    const again = entry.revision ? ` · ${text("msgResubmit", "sent again")}` : "";
    title.textContent = `${entry.body.held_on} · ${entry.body.venue_name}${again}`;
    const photos = entry.photos.filter((p) => !p.sent && !p.error).length;
    const detail = document.createElement("span");
    detail.className = "small";
    detail.textContent = ` · ${photos} ${text("msgPhotos", "photos")}`;
    item.append(title, detail);
    if (othersEntry(entry)) {
      const note = document.createElement("p");
      note.className = "small";
      note.textContent = text("msgOtherAuthor", "Saved by another volunteer on this phone.");
      item.append(note);
      list.append(item);
      continue;
    }
    for (const message of [entry.error, ...entry.photos.map((p) => p.error)].filter(Boolean)) {
      const problem = document.createElement("p");
      problem.className = "error";
      problem.textContent = message;
      item.append(problem);
    }
    if (entry.error) {
      const retry = document.createElement("button");
      retry.type = "button";
      retry.className = "link-button";
      retry.textContent = text("msgRetry", "Try again");
      retry.addEventListener("click", async () => {
        entry.error = "";
        await queuePut(entry);
        flush();
      });
      item.append(retry, " ");
    }
    if (entry.error || entry.done) {
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link-button";
      discard.textContent = text("msgDiscard", "Remove");
      discard.addEventListener("click", async () => {
        await queueDelete(entry.client_uuid);
        render();
      });
      item.append(discard);
    }
    list.append(item);
  }
  if (empty) empty.hidden = entries.length > 0;
  if (section && !form) section.hidden = entries.length === 0;
  showQueueState(entries.filter((e) => !e.done && !othersEntry(e)).length);
}

// How many logs wait on this phone, said next to the save button (a polite live region).
function showQueueState(waiting) {
  if (!queueState) return;
  const data = queueState.dataset;
  const message =
    waiting === 0 ? data.msgNone : waiting === 1 ? data.msgOne : data.msgMany.replace("%(n)s", waiting);
  if (queueState.textContent !== message) queueState.textContent = message;
}

function showSaved(sent) {
  if (!saveState) return;
  saveState.classList.toggle("is-sent", sent);
  saveState.textContent = sent ? saveState.dataset.msgSent : saveState.dataset.msgKept;
}

async function problemText(response) {
  try {
    const body = await response.json();
    const fields = (body.errors || []).map((e) => `${e.pointer.slice(2)}: ${e.detail}`);
    return [body.detail || body.title, ...fields].join(" ");
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function sendEntry(entry) {
  if (!entry.sent_log) {
    const resubmit = Boolean(entry.revision);
    const payload = resubmit
      ? { revision: entry.revision, remove_photos: entry.remove_photos || [], ...entry.body }
      : { client_uuid: entry.client_uuid, ...entry.body };
    const response = await fetch(resubmit ? `${API}/${entry.client_uuid}/resubmit` : API, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload),
    });
    if (!response.ok) {
      const problem = await response.clone().json().catch(() => ({}));
      if (response.status === 401 || problem.type === "/problems/not-authenticated") {
        throw new Error("signin"); // kept as it is; sent after the volunteer signs in again
      }
      if (response.status === 429 || response.status >= 500) {
        throw new Error(`HTTP ${response.status}`); // the server's trouble: try again later
      }
      entry.error = `${text("msgFailed", "Not accepted:")} ${await problemText(response)}`;
      await queuePut(entry);
      return false;
    }
    entry.sent_log = true;
    entry.error = "";
    await queuePut(entry);
  }
  for (const photo of entry.photos) {
    if (photo.sent || photo.error) continue;
    const body = new FormData();
    body.append("client_photo_id", photo.id);
    body.append("file", photo.blob, photo.name || "photo.jpg");
    const response = await fetch(`${API}/${entry.client_uuid}/photos`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      body,
    });
    if (response.ok) {
      photo.sent = true;
      photo.blob = null;
    } else if (response.status >= 400 && response.status < 500) {
      // A refused file never blocks the log; the volunteer sees why.
      photo.error = `${text("msgPhotoRefused", "Photo not attached:")} ${photo.name}: ${await problemText(response)}`;
      photo.blob = null;
    } else {
      throw new Error(`HTTP ${response.status}`);
    }
    await queuePut(entry);
  }
  if (entry.photos.some((p) => p.error)) {
    entry.done = true;
    await queuePut(entry);
    return true;
  }
  await queueDelete(entry.client_uuid);
  return true;
}

// Send what waits, one entry after another. A call while a flush is under way waits for it
// and then flushes again, so a log saved meanwhile is sent too.
function flush() {
  if (inFlight) return inFlight.then(() => flush());
  if (!navigator.onLine) return render();
  inFlight = (async () => {
    try {
      for (const entry of await queueAll()) {
        if (entry.error || entry.done || othersEntry(entry)) continue;
        say(text("msgSending", "Sending…"));
        await sendEntry(entry);
      }
      say(navigator.onLine ? "" : text("msgOffline", "Offline"));
    } catch (error) {
      say(error.message === "signin" ? text("msgSignin", "Sign in again.") : text("msgOffline", "Offline"));
    } finally {
      inFlight = null;
      await render();
    }
  })();
  return inFlight;
}

function readForm() {
  const data = new FormData(form);
  const number = (name) => Number.parseInt(data.get(name) || "0", 10) || 0;
  const consent = data.get("gps_consent") === "on";
  const body = {
    campaign: Number.parseInt(data.get("campaign"), 10),
    county: data.get("county"),
    held_on: data.get("held_on"),
    venue_type: data.get("venue_type"),
    venue_name: (data.get("venue_name") || "").trim(),
    attendees: {
      elderly: number("attendees_elderly"),
      students: number("attendees_students"),
      farmers: number("attendees_farmers"),
      women: number("attendees_women"),
      other: number("attendees_other"),
    },
    topics: data.get("topics") || "",
    notes: data.get("notes") || "",
    gps_consent: consent,
  };
  if (consent && data.get("latitude") && data.get("longitude")) {
    body.latitude = Number(data.get("latitude")).toFixed(6);
    body.longitude = Number(data.get("longitude")).toFixed(6);
  }
  return body;
}

if (form) {
  const photoInput = form.querySelector("[data-photos]");
  const consent = form.querySelector('input[name="gps_consent"]');
  consent?.addEventListener("change", () => {
    if (!consent.checked || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.querySelector('input[name="latitude"]').value = position.coords.latitude.toFixed(6);
        form.querySelector('input[name="longitude"]').value = position.coords.longitude.toFixed(6);
      },
      () => {},
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 },
    );
  });
  const editing = form.dataset.clientUuid || "";
  const saveButton = form.querySelector("[data-save]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = readForm();
    if (!body.venue_name || !body.held_on) {
      say(text("msgRequired", "Fill in the venue name and the date."));
      return;
    }
    const files = [...(photoInput?.files || [])];
    if (files.length > 9) {
      say(text("msgTooMany", "At most 9 photos."));
      return;
    }
    if (saveState) saveState.textContent = "";
    // A correction is sent under the log's own UUID, with an id of its own for this edit.
    const clientUuid = editing || newUuid();
    const revision = editing ? newUuid() : "";
    const photos = files.map((file, index) => ({
      id: `${(revision || clientUuid).slice(0, 8)}-${index}`,
      name: file.name,
      blob: file,
      sent: false,
      error: "",
    }));
    const entry = {
      client_uuid: clientUuid,
      author,
      body,
      photos,
      queued_at: new Date().toISOString(),
      error: "",
    };
    if (editing) {
      entry.revision = revision;
      entry.remove_photos = [...form.querySelectorAll("[data-remove-photo]:checked")].map((b) => b.value);
    }
    await queuePut(entry);
    if (editing) {
      // One correction per visit: the log is on its way back to the coordinator.
      if (saveButton) saveButton.disabled = true;
    } else {
      const keep = { campaign: body.campaign, county: body.county, held_on: body.held_on, venue_type: body.venue_type };
      form.reset();
      for (const [name, value] of Object.entries(keep)) form.elements[name].value = value;
    }
    await render();
    await flush();
    const left = (await queueAll()).find((e) => e.client_uuid === clientUuid);
    // Sent: gone from the queue, or kept only to show a refused photo. Refused as a whole:
    // the queue below says why. Otherwise it waits on the phone for signal.
    if (!left || left.done) showSaved(true);
    else if (!left.error) showSaved(false);
  });
}

// The county list shows the chosen campaign's counties only (each option names its
// campaigns); the server checks the same.
for (const picker of document.querySelectorAll("form")) {
  const campaign = picker.querySelector('select[name="campaign"]');
  const county = picker.querySelector('select[name="county"]');
  if (!campaign || !county || !county.querySelector("option[data-campaigns]")) continue;
  const follow = () => {
    let firstFitting = null;
    for (const option of county.options) {
      const fits = (option.dataset.campaigns || "").split(" ").includes(campaign.value);
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && !firstFitting) firstFitting = option;
    }
    if (county.selectedOptions[0]?.disabled && firstFitting) county.value = firstFitting.value;
  };
  campaign.addEventListener("change", follow);
  follow();
}

window.addEventListener("online", () => flush());
window.addEventListener("offline", () => say(text("msgOffline", "Offline")));
render().then(() => flush());
setInterval(flush, 30000);
