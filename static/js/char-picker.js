// Rare-character picker beside a name field: type the reading, pick the character, and it is
// typed into the field at the caret. Without this script the field works as it is and the
// picker links to the lookup page (accounts/characters.html) to copy from.
const pickers = document.querySelectorAll("details[data-char-picker]");

function insertAt(input, text) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  const caret = start + text.length;
  input.focus();
  input.setSelectionRange(caret, caret);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

function setUp(picker) {
  const target = document.getElementById(picker.dataset.charPicker);
  const tool = picker.querySelector(".char-picker-tool");
  const query = tool.querySelector("input[type=search]");
  const results = tool.querySelector("[data-char-results]");
  const added = tool.querySelector("[data-char-added]");
  if (!target) return;
  picker.querySelector(".char-picker-nojs").hidden = true;
  tool.hidden = false;

  async function find(page = 1, paging = false) {
    const q = query.value.trim();
    if (!q) return;
    const url = new URL(picker.dataset.url, window.location.href);
    url.search = new URLSearchParams({ q, page: String(page), fragment: "1" }).toString();
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      results.innerHTML = await response.text();
      // Paging replaced the buttons the keyboard was on: continue from the first new one.
      if (page > 1 || paging) results.querySelector("button[data-char]")?.focus();
    } catch {
      results.textContent = picker.dataset.offline || "…";
    }
  }

  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // search, do not submit the sign-up form
      find();
    }
  });
  tool.querySelector("[data-char-find]").addEventListener("click", () => find());
  results.addEventListener("click", (event) => {
    const page = event.target.closest("a[data-char-page]");
    if (page) {
      event.preventDefault();
      find(Number(page.dataset.charPage), true);
      return;
    }
    const choice = event.target.closest("button[data-char]");
    if (!choice) return;
    insertAt(target, choice.dataset.char);
    added.textContent = `${added.dataset.prefix || ""}${choice.getAttribute("aria-label")}`;
  });
}

pickers.forEach(setUp);
