// Progressive enhancement of the elder-mode toggle: switch at once, save in the background.
// Without JavaScript the same form posts and reloads the page.
const form = document.querySelector("[data-elder-toggle]");
if (form) {
  const button = form.querySelector("button");
  const field = form.querySelector('input[name="elder_mode"]');
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const on = field.value === "on";
    document.documentElement.classList.toggle("elder", on);
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? button.dataset.labelOn : button.dataset.labelOff;
    const body = new FormData(form);
    field.value = on ? "off" : "on";
    // Set locally first, so the choice survives a reload that cuts the request short, or
    // no signal at all; the server's answer sets the same cookie and saves the account.
    document.cookie = `elder_mode=${on ? 1 : 0}; max-age=31536000; path=/; samesite=lax`;
    try {
      await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    } catch {
      // Offline: the local cookie above keeps the choice.
    }
  });
}

// Signed out (or never signed in): drop the volunteers' offline copies of their pages, so the
// next person on a shared phone does not find them. Logs not sent yet stay (IndexedDB), each
// waiting for the volunteer who wrote it.
if (document.documentElement.dataset.signedIn === "false" && "caches" in window) {
  caches
    .keys()
    .then((keys) =>
      Promise.all(keys.filter((k) => k.startsWith("anquan-field")).map((k) => caches.delete(k))),
    )
    .catch(() => {});
  // Saved courses (course-offline.js) are served only to the learner who saved them: with
  // nobody signed in, nobody's are.
  caches
    .open("anquan-courses-meta")
    .then((meta) => meta.delete("/courses/__learner"))
    .catch(() => {});
}
