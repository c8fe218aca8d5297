// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.submit();
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

// A form with a "kind" select (channels) shows only the fields that kind uses.
function showFieldsOfKind(select) {
  for (const input of select.form.querySelectorAll("[data-kinds]")) {
    const wrapper = input.closest(".field");
    if (wrapper) wrapper.hidden = !input.dataset.kinds.split(" ").includes(select.value);
  }
}
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-kind]")) showFieldsOfKind(event.target);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-kind]").forEach(showFieldsOfKind);
});

// The incident command page: parts marked data-refresh are fetched again every few seconds,
// unless the reader is typing in them (a task's form) or the tab is hidden.
function refreshLive(region) {
  if (document.hidden || region.contains(document.activeElement)) return;
  fetch(region.dataset.refresh, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (html !== null && !region.contains(document.activeElement)) region.innerHTML = html;
    })
    .catch(() => {}); // offline for a moment: the next round tries again
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-refresh]").forEach((region) => {
    const seconds = Number(region.dataset.every || 10);
    window.setInterval(() => refreshLive(region), seconds * 1000);
  });
});
