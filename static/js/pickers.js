// Pickers of the coordinators' campaign page: type a volunteer's or a region's name, choose
// from the list with the arrow keys and Enter (or a tap). The field then holds
// "name（user name）" or "name（code）", which the server reads; without this script the same
// fields take a user name, a name or a code as typed. (ARIA 1.2 combobox with a listbox.)
const BASE = "/campaigns/pickers/";
const strings = document.querySelector("[data-picker-strings]")?.dataset || {};
let counter = 0;

function setUp(input) {
  const kind = input.dataset.picker;
  const multi = "pickerMulti" in input.dataset;
  const id = `picker-${++counter}`;
  const list = document.createElement("ul");
  list.id = `${id}-list`;
  list.className = "picker-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.after(list, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  let results = [];
  let active = -1;
  let timer = null;
  let asked = "";

  const term = () => (multi ? input.value.split(/[\s,;，；、]+/).pop() : input.value).trim();

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function show() {
    list.replaceChildren();
    results.forEach((result, index) => {
      const option = document.createElement("li");
      option.id = `${id}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", String(index === active));
      option.textContent = result.label;
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep the focus in the field
        choose(index);
      });
      list.append(option);
    });
    const open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (active >= 0) input.setAttribute("aria-activedescendant", `${id}-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const result = results[index];
    if (!result) return;
    if (multi) {
      const kept = input.value.replace(/[^\s,;，；、]*$/, "");
      input.value = `${kept}${result.value} `;
    } else {
      input.value = result.value;
    }
    results = [];
    close();
    status.textContent = (strings.msgChosen || "Chosen: %s").replace("%s", result.label);
  }

  async function search() {
    const query = term();
    if (query === asked) return;
    asked = query;
    if (!query) {
      results = [];
      close();
      return;
    }
    try {
      const response = await fetch(`${BASE}${kind}/?q=${encodeURIComponent(query)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok || query !== term()) return;
      results = (await response.json()).results || [];
    } catch {
      return; // no signal: the field still takes what is typed
    }
    active = -1;
    show();
    status.textContent = results.length
      ? (strings.msgResults || "%s results").replace("%s", results.length)
      : strings.msgNone || "Nothing found";
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!results.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + results.length) % results.length;
      show();
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault(); // choosing, not sending the form
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

for (const input of document.querySelectorAll("input[data-picker]")) setUp(input);
