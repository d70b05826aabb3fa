// "Read aloud" for lessons and quiz questions, with the device's own speech synthesis.
// The control stays hidden unless the device has a voice for the page's language (many
// phones and every headless browser have none): a button that cannot speak is not offered.
// Markup: <div data-read-aloud="CSS selectors of the texts, in reading order" hidden>
//   <button data-label-start="…" data-label-stop="…">…</button></div>  (templates/_read_aloud.html)
const controls = document.querySelectorAll("[data-read-aloud]");
const pageLang = (document.documentElement.lang || "zh-hans").toLowerCase();
const wanted = pageLang.startsWith("zh") ? "zh" : pageLang.slice(0, 2);
// Traditional Chinese reads best with a Taiwan or Hong Kong voice, any Chinese voice else.
const preferred = pageLang === "zh-hant" ? ["zh-tw", "zh-hk"] : ["zh-cn"];

function voiceFor() {
  const voices = window.speechSynthesis.getVoices();
  const matching = voices.filter((v) => v.lang.toLowerCase().replace("_", "-").startsWith(wanted));
  return (
    matching.find((v) => preferred.some((p) => v.lang.toLowerCase().replace("_", "-").startsWith(p))) ||
    matching[0] ||
    null
  );
}

// Long texts are spoken sentence by sentence: some engines stop a long utterance midway.
function sentences(text) {
  return text
    .split(/(?<=[。！？!?；;\n])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function setUp(control, voice) {
  const button = control.querySelector("button");
  const targets = [...document.querySelectorAll(control.dataset.readAloud)];
  if (!button || !targets.length) return;
  let speaking = false;
  const show = (on) => {
    speaking = on;
    button.setAttribute("aria-pressed", String(on));
    button.textContent = on ? button.dataset.labelStop : button.dataset.labelStart;
  };
  button.addEventListener("click", () => {
    window.speechSynthesis.cancel();
    if (speaking) {
      show(false);
      return;
    }
    // Only what is on the screen: an answer's page holds the next question, hidden until asked.
    const shown = targets.filter((target) => target.getClientRects().length > 0);
    const parts = shown.flatMap((target) => sentences(target.innerText));
    if (!parts.length) return;
    show(true);
    const elder = document.documentElement.classList.contains("elder");
    parts.forEach((part, index) => {
      const utterance = new SpeechSynthesisUtterance(part);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = elder ? 0.85 : 1;
      if (index === parts.length - 1) utterance.onend = () => show(false);
      utterance.onerror = () => show(false);
      window.speechSynthesis.speak(utterance);
    });
  });
  control.hidden = false;
}

function offer() {
  const voice = voiceFor();
  if (!voice) return false;
  controls.forEach((control) => {
    if (control.hidden) setUp(control, voice);
  });
  return true;
}

if (controls.length && "speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
  // Voices often arrive a moment after the page loads.
  if (!offer()) window.speechSynthesis.addEventListener("voiceschanged", offer, { once: true });
  window.addEventListener("pagehide", () => window.speechSynthesis.cancel());
}
