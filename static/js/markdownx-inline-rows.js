/*
 * Start markdownx's editor in inline rows added with "Add another ...".
 *
 * Django clones a hidden template row for each new inline. markdownx started its editor
 * on that template at page load and marked it with data-markdownx-init, so the clone
 * carries the mark and markdownx skips it (upstream issues #113 and #275). markdownx keeps
 * its constructor private in its bundle; its one public way in is its start-up pass, which
 * starts every editor without the mark. So: clear the mark on the new row and run
 * markdownx's own script once more (the browser has it cached).
 */
"use strict";

document.addEventListener("formset:added", (event) => {
  const editors = event.target.querySelectorAll(".markdownx-editor[data-markdownx-init]");
  if (editors.length === 0) {
    return;
  }
  editors.forEach((editor) => editor.removeAttribute("data-markdownx-init"));
  const markdownx = document.querySelector('script[src*="markdownx/js/markdownx"]');
  if (markdownx === null) {
    return;
  }
  const again = document.createElement("script");
  again.src = markdownx.src;
  document.head.appendChild(again);
});
