// The course and lesson admins, enhanced (edu/admin_authoring.py says what the server does;
// without this script an empty slug is still made on save, and the preview opens as a page).
//
// 1. Slugs: while the Chinese title is typed, an empty slug is filled with its pinyin,
//    asked of the server (which knows pinyin and which slugs are taken). A slug the editor
//    typed is left alone.
// 2. Preview: the "Preview the texts" button shows the rendered texts in a panel under the
//    form instead of a new tab.
function enhance() {
const isLesson = document.body.classList.contains("model-lesson");
const adminRoot = location.pathname.split("/edu/")[0];
const objectId = (location.pathname.match(/\/edu\/(?:course|lesson)\/(\d+)\/change\//) || [])[1];

function slugInputFor(titleInput) {
  const name = titleInput.name.replace(/title_zh$/, "slug");
  return titleInput.form ? titleInput.form.elements.namedItem(name) : null;
}

function markAuto(input) {
  if (input && input.tagName === "INPUT" && input.dataset.slugAuto === undefined) {
    input.dataset.slugAuto = input.value === "" ? "1" : "0";
  }
}

async function suggest(titleInput) {
  const slugInput = slugInputFor(titleInput);
  markAuto(slugInput);
  if (!slugInput || slugInput.dataset.slugAuto !== "1") return;
  const row = titleInput.name !== "title_zh"; // a lesson row on its course's page
  const params = new URLSearchParams({ title: titleInput.value, kind: isLesson || row ? "lesson" : "course" });
  if (isLesson) {
    const course = titleInput.form.elements.namedItem("course");
    if (course && course.value) params.set("course", course.value);
    if (objectId) params.set("exclude", objectId);
  } else if (row) {
    if (objectId) params.set("course", objectId);
  } else if (objectId) {
    params.set("exclude", objectId);
  }
  const response = await fetch(`${adminRoot}/edu/course/slug/?${params}`, { credentials: "same-origin" });
  if (!response.ok) return;
  const { slug } = await response.json();
  if (slugInput.dataset.slugAuto === "1") slugInput.value = titleInput.value ? slug : "";
}

const timers = new WeakMap();
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement)) return;
  if (/(^|-)slug$/.test(input.name)) {
    input.dataset.slugAuto = input.value === "" ? "1" : "0";
    return;
  }
  if (!/(^|-)title_zh$/.test(input.name)) return;
  clearTimeout(timers.get(input));
  timers.set(input, setTimeout(() => suggest(input), 250));
});
document.querySelectorAll('input[name$="slug"]').forEach(markAuto);

const previewButton = document.querySelector("[data-lesson-preview]");
const panel = document.getElementById("lesson-preview-panel");
if (previewButton && panel) {
  previewButton.addEventListener("click", async (event) => {
    event.preventDefault();
    const data = new FormData(previewButton.form);
    for (const [key, value] of [...data.entries()]) {
      if (value instanceof File) data.delete(key); // the texts are enough
    }
    const response = await fetch(`${previewButton.formAction}?panel=1`, {
      method: "POST",
      body: data,
      credentials: "same-origin",
    });
    // The server renders and sanitises the texts as the lesson page does.
    panel.innerHTML = await response.text();
    panel.hidden = false;
    panel.scrollIntoView({ block: "nearest" });
  });
}
}

// The admin loads its scripts in the head, before the body exists.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
else enhance();
