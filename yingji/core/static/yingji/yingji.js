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
// unless the reader is working in them — typing, or having changed a field and moved on (a
// half-written note, a ticked box not yet saved) — or the tab is hidden.
function isEdited(region) {
  for (const field of region.querySelectorAll("input, textarea, select")) {
    if (field.type === "hidden" || field.type === "submit") continue;
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked) return true;
    } else if (field.tagName === "SELECT") {
      for (const option of field.options) if (option.selected !== option.defaultSelected) return true;
    } else if (field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}
function mayReplace(region) {
  return !document.hidden && !region.contains(document.activeElement) && !isEdited(region);
}
function refreshLive(region) {
  if (!mayReplace(region)) return;
  fetch(region.dataset.refresh, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
    .then((response) => (response.ok ? response.text() : null))
    .then((html) => {
      if (html !== null && mayReplace(region)) {
        region.innerHTML = html;
        labelTables(region);
        applyFolds(region);
      }
    })
    .catch(() => {}); // offline for a moment: the next round tries again
}
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-refresh]").forEach((region) => {
    const seconds = Number(region.dataset.every || 10);
    window.setInterval(() => refreshLive(region), seconds * 1000);
  });
});

// Tables become cards on a phone (yingji.css): each cell is labelled with its column's name.
function labelTables(root) {
  for (const table of root.querySelectorAll("table.table")) {
    const names = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    if (!names.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (names[i] && cell.colSpan === 1) cell.dataset.label = names[i];
      });
    }
    table.classList.add("cards");
  }
}
document.addEventListener("DOMContentLoaded", () => labelTables(document));
document.addEventListener("htmx:afterSwap", (event) => labelTables(event.target));

// On a phone the command page's sections are folded (details.fold, open without a script):
// only the one a next-step button leads to opens, so any action is at most two taps away.
// A section someone opened or closed stays so, even when the live part is drawn again.
const phone = window.matchMedia("(max-width: 720px)");
const foldState = new Map();
function applyFolds(root) {
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  for (const fold of root.querySelectorAll("details.fold")) {
    if (foldState.has(fold.id)) fold.open = foldState.get(fold.id);
    else if (phone.matches) fold.open = fold.id === wanted;
  }
}
function openTarget() {
  const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  if (target && target.matches("details.fold")) {
    target.open = true;
    foldState.set(target.id, true);
    target.scrollIntoView();
  }
}
document.addEventListener("toggle", (event) => {
  if (event.target.matches && event.target.matches("details.fold") && event.target.id) {
    foldState.set(event.target.id, event.target.open);
  }
}, true);
document.addEventListener("DOMContentLoaded", () => {
  applyFolds(document);
  openTarget();
});
window.addEventListener("hashchange", openTarget);

// Long pickers (people, assets, channels) become searchable: type a name, a number or a
// department. Tom Select is served from our own static files; without it the plain select
// still works.
const SEARCHABLE_FROM = 15;
function searchablePickers(root) {
  if (typeof TomSelect === "undefined") return;
  for (const select of root.querySelectorAll("select:not([data-autosubmit]):not(.tomselected)")) {
    if (select.options.length < SEARCHABLE_FROM || select.closest("[data-refresh]")) continue;
    new TomSelect(select, {
      maxOptions: 500,
      plugins: select.multiple ? ["remove_button"] : [],
      allowEmptyOption: true,
      closeAfterSelect: !select.multiple, // one person picked: the form is next
    });
  }
}
document.addEventListener("DOMContentLoaded", () => searchablePickers(document));
