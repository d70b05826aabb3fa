// The hosted transfer-check quiz. A screen shown again by Back, from the browser's memory,
// may be out of date: the check may have ended since (the user chose already). Ask the
// server for the screen of now instead. Without JavaScript, a stale screen's buttons still
// lead to the right page: the server answers from the check's state, not the page's.
const root = document.documentElement;
addEventListener("pageshow", (event) => {
  const here = root.dataset.checkUrl;
  if (!here) return;
  const [nav] = performance.getEntriesByType("navigation");
  const fromHistory = nav && nav.type === "back_forward" && "fromPost" in root.dataset;
  if (event.persisted || fromHistory) location.replace(here);
});
