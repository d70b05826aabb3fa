// The unread count next to "Notifications" in the header, fetched after the page shows,
// so no page waits for it. Without JavaScript the link still leads to the list.
const link = document.querySelector("[data-notifications-link]");
if (link) {
  const badge = link.querySelector("[data-unread-count]");
  fetch(link.dataset.unreadUrl, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : { unread: 0 }))
    .then(({ unread }) => {
      if (unread > 0) {
        badge.textContent = String(unread);
        badge.hidden = false;
        link.setAttribute("aria-label", `${link.textContent.trim()} (${unread})`);
        // On phones the link is folded into the menu: its button shows the count too.
        const menuBadge = document.querySelector("[data-menu-unread]");
        if (menuBadge) {
          menuBadge.textContent = String(unread);
          menuBadge.hidden = false;
        }
      }
    })
    .catch(() => {});
}
