/*
 * Accessibility fixes for select2, the autocomplete Django's admin ships (axe-core flags it):
 * its search box and single-choice box have no name, and its list of chosen items holds elements a list may not.
 * select2 redraws these on every change, so the fixes are reapplied when the page changes.
 */
"use strict";

function labelFor(element) {
  const row = element.closest(".form-row, .fieldBox, [class*='field-']");
  const label = row && row.querySelector("label");
  return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
}

function fixSelect2() {
  document.querySelectorAll(".select2-search__field:not([aria-label])").forEach((field) => {
    const name = labelFor(field);
    if (name) {
      field.setAttribute("aria-label", `Search ${name}`);
    }
  });
  // A single choice (the lead image) is named by what it shows, nothing while empty.
  const single = ".select2-selection--single, .select2-selection__rendered[role='textbox']";
  document.querySelectorAll(`:is(${single}):not([aria-label])`).forEach((box) => {
    const name = labelFor(box);
    if (name) {
      box.setAttribute("aria-label", name);
    }
  });
  // Not a list to assistive technology: the choices are announced by the combobox.
  document.querySelectorAll("ul.select2-selection__rendered:not([role])").forEach((list) => {
    list.setAttribute("role", "none");
    list.querySelectorAll(":scope > li").forEach((item) => item.setAttribute("role", "none"));
  });
}

let pending = false;
new MutationObserver(() => {
  if (!pending) {
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fixSelect2();
    });
  }
}).observe(document.documentElement, { childList: true, subtree: true });
document.addEventListener("DOMContentLoaded", fixSelect2);
