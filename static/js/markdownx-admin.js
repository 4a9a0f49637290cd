/*
 * Our glue for django-markdownx in the admin. Two gaps upstream leaves open:
 *
 * 1. Inline rows added with "Add another ..." get no editor (upstream #113, #275). Django
 *    clones a hidden template row; markdownx started its editor on that template at page
 *    load and marked it with data-markdownx-init, so the clone carries the mark and
 *    markdownx skips it. markdownx keeps its constructor private in its bundle; its one
 *    public way in is its start-up pass, which starts every editor without the mark. So we
 *    clear the mark on the new row and run markdownx's own script once more (cached).
 *
 * 2. A refused image upload: markdownx ignores the server's message and types the words
 *    "Invalid response" into the editor. We show the server's message above the editor
 *    instead and take those words back out.
 */
"use strict";

const MARKDOWNX_UPLOAD_ERROR_TEXT = "Invalid response";

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

function uploadMessage(container) {
  let list = container.previousElementSibling;
  if (list === null || !list.classList.contains("markdownx-upload-errors")) {
    list = document.createElement("ul");
    list.className = "errorlist markdownx-upload-errors";
    list.setAttribute("role", "alert");
    container.before(list);
  }
  return list;
}

// markdownx fires its upload events on the editor's container without bubbling:
// listen in the capture phase to see them from the document.
document.addEventListener(
  "markdownx.fileUploadError",
  (event) => {
    const container = event.target;
    const editor = container.querySelector(".markdownx-editor");
    const before = editor.value;
    // markdownx passes the parsed JSON answer; ours carries {"error": "..."}.
    const answer = event.detail && event.detail[0];
    const message = (answer && answer.error) || "The image could not be uploaded.";
    const item = document.createElement("li");
    item.textContent = message;
    uploadMessage(container).replaceChildren(item);
    // markdownx inserts its text right after this event; undo just that insertion.
    setTimeout(() => {
      if (editor.value.replace(MARKDOWNX_UPLOAD_ERROR_TEXT, "") === before) {
        editor.value = before;
        editor.dispatchEvent(new Event("input")); // and the preview follows
      }
    }, 0);
  },
  true,
);

document.addEventListener(
  "markdownx.fileUploadEnd",
  (event) => uploadMessage(event.target).remove(),
  true,
);
