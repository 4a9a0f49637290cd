/*
 * Move up and Move down for the article's sections: real buttons, so the keyboard can
 * reorder as well as a mouse dragging a title bar (django-admin-sortable2). Like the
 * library, it moves saved sections only, then numbers their hidden position fields in the
 * order they now stand, as the library does after a drag. A screen reader hears where the
 * section went; focus stays on the button pressed.
 */
"use strict";

function sectionStatus() {
  let status = document.getElementById("section-move-status");
  if (status === null) {
    status = document.createElement("p");
    status.id = "section-move-status";
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    document.getElementById("sections-group").append(status);
  }
  return status;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(".section-move button[data-move]");
  if (button === null) {
    return;
  }
  const row = button.closest(".inline-related");
  const rows = [...row.parentElement.querySelectorAll(":scope > .inline-related.has_original")];
  const from = rows.indexOf(row);
  const to = button.dataset.move === "up" ? from - 1 : from + 1;
  const heading = row.querySelector(".inline_label").textContent.trim();
  if (to < 0 || to >= rows.length) {
    sectionStatus().textContent = `“${heading}” is already ${to < 0 ? "first" : "last"}.`;
    return;
  }
  if (to < from) {
    rows[to].before(row);
  } else {
    rows[to].after(row);
  }
  row.parentElement
    .querySelectorAll(":scope > .inline-related.has_original")
    .forEach((section, index) => {
      section.querySelector("input._reorder_").value = `${index + 1}`;
    });
  button.focus();
  // The order changed: whatever follows the form (the live content checks) hears of it.
  row.querySelector("input._reorder_").dispatchEvent(new Event("change", { bubbles: true }));
  sectionStatus().textContent = `“${heading}” moved to position ${to + 1} of ${rows.length}.`;
});
