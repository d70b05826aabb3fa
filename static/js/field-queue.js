// The offline queue of session logs, in IndexedDB: it survives reloads, a closed browser
// and a restarted phone. Each entry is {client_uuid, body, photos: [{id, name, blob, sent,
// error}], queued_at, error}. Photos are kept as Blobs, so nothing is sent twice or lost.
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

export function queuePut(entry) {
  return run("readwrite", (store) => store.put(entry));
}

export function queueDelete(clientUuid) {
  return run("readwrite", (store) => store.delete(clientUuid));
}

export async function queueAll() {
  const entries = (await run("readonly", (store) => store.getAll())) || [];
  return entries.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
