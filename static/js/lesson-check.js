// A lesson's knowledge check that was not passed comes back at the check (#check) with the
// verdict on top. Without this script the page already scrolls there; with it, the verdict
// also takes the focus, so a screen reader reads it out and Tab goes on to the questions.
const verdict = document.querySelector("[data-check-verdict]");
if (verdict) {
  verdict.focus();
}
