// The review queue: one button ticks (or clears) every log on this page for approval
// together. Without this script each log is ticked on its own, as the button is hidden.
const bulk = document.querySelector("#bulk");
const all = document.querySelector("[data-tick-all]");
if (bulk && all) {
  const boxes = () => [...document.querySelectorAll('input[name="logs"][form="bulk"]')];
  const label = () => {
    const ticked = boxes().length > 0 && boxes().every((box) => box.checked);
    all.textContent = ticked ? all.dataset.msgClear : all.dataset.msgTick;
    all.setAttribute("aria-pressed", String(ticked));
  };
  all.hidden = false;
  all.addEventListener("click", () => {
    const tick = !boxes().every((box) => box.checked);
    for (const box of boxes()) box.checked = tick;
    label();
  });
  for (const box of boxes()) box.addEventListener("change", label);
  label();
}
