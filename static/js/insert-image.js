/*
 * "Insert image" beside every Markdown field of the admin: one dialog (a native <dialog>,
 * so Escape closes it and focus stays inside) to upload a file or pick one from the
 * library, asking for its alt text (or the "Decorative" tick) before anything is inserted.
 * An image dropped on the editor (markdownx's drop zone) opens the same dialog, to
 * describe it; until then the article cannot be saved with it (the form says so).
 *
 * The server: /markdownx/images/ lists the library (?q= searches it),
 * /markdownx/images/insert/ stores a new file or describes a library image, and answers
 * the Markdown to insert, `![alt](image:ID)` (articles/editor_views.py).
 */
"use strict";

(() => {
  const LIBRARY_URL = "/markdownx/images/";
  const INSERT_URL = "/markdownx/images/insert/";

  let dialog = null;
  let target = null; // the textarea the image goes into
  let picked = null; // a library image: {id, alt, described, ...}
  let dropped = null; // the Markdown markdownx inserted for a dropped file

  function element(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(name, value);
      }
    }
    node.append(...children);
    return node;
  }

  function csrfToken() {
    const field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function build() {
    const file = element("input", {
      type: "file",
      id: "insert-image-file",
      name: "image",
      accept: "image/png,image/jpeg,image/gif,image/webp",
    });
    const search = element("input", {
      type: "search",
      id: "insert-image-search",
      autocomplete: "off",
    });
    const alt = element("input", { type: "text", id: "insert-image-alt", maxlength: "300" });
    const decorative = element("input", { type: "checkbox", id: "insert-image-decorative" });
    const form = element("form", { method: "dialog", class: "insert-image-form" }, [
      element("h2", { id: "insert-image-title", text: "Insert image" }),
      element("p", { class: "insert-image-chosen", id: "insert-image-chosen", "aria-live": "polite" }),
      element("div", { class: "insert-image-choice" }, [
        element("label", { for: "insert-image-file", text: "Upload a file" }),
        file,
      ]),
      element("div", { class: "insert-image-choice" }, [
        element("label", { for: "insert-image-search", text: "Or pick from the library (search)" }),
        search,
        element("ul", { class: "insert-image-results", id: "insert-image-results" }),
      ]),
      element("div", { class: "insert-image-words" }, [
        element("label", { for: "insert-image-alt", text: "Alt text" }),
        alt,
        element("p", {
          class: "help",
          id: "insert-image-alt-help",
          text: "What the image shows, for readers who cannot see it.",
        }),
        element("label", { class: "vCheckboxLabel", for: "insert-image-decorative" }, [
          decorative,
          " Decorative: adds nothing the text does not say (screen readers skip it)",
        ]),
      ]),
      element("p", { class: "errornote", id: "insert-image-error", role: "alert", hidden: "" }),
      element("div", { class: "submit-row insert-image-buttons" }, [
        element("button", { type: "submit", class: "default", value: "insert", text: "Insert" }),
        element("button", { type: "button", class: "insert-image-cancel", text: "Cancel" }),
      ]),
    ]);
    alt.setAttribute("aria-describedby", "insert-image-alt-help");
    dialog = element("dialog", { class: "insert-image-dialog", "aria-labelledby": "insert-image-title" }, [form]);
    document.body.append(dialog);

    file.addEventListener("change", () => {
      if (file.files.length) {
        choose(null);
        say(`New file: ${file.files[0].name}`);
      }
    });
    let searching = null;
    search.addEventListener("input", () => {
      clearTimeout(searching);
      searching = setTimeout(() => listLibrary(search.value), 250);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      insert();
    });
    form.querySelector(".insert-image-cancel").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      if (target) {
        target.focus();
      }
    });
  }

  function field(id) {
    return dialog.querySelector(`#${id}`);
  }

  function say(text) {
    field("insert-image-chosen").textContent = text;
  }

  function showError(message) {
    const error = field("insert-image-error");
    error.textContent = message;
    error.hidden = !message;
  }

  function choose(image) {
    picked = image;
    const alt = field("insert-image-alt");
    const decorative = field("insert-image-decorative");
    dialog.querySelectorAll(".insert-image-results button").forEach((button) => {
      button.setAttribute("aria-pressed", String(image !== null && button.dataset.id === String(image.id)));
    });
    // A library image that is described keeps the library's words (change them there).
    const fixed = image !== null && image.described;
    alt.value = fixed ? image.alt : "";
    decorative.checked = fixed ? image.decorative : false;
    alt.readOnly = fixed;
    decorative.disabled = fixed;
    if (image !== null) {
      field("insert-image-file").value = "";
      say(fixed ? `From the library: ${image.alt || "a decorative image"}` : "From the library: describe it below.");
    }
  }

  async function listLibrary(query) {
    const response = await fetch(`${LIBRARY_URL}?q=${encodeURIComponent(query)}`, {
      credentials: "same-origin",
    });
    const list = field("insert-image-results");
    if (!response.ok) {
      list.replaceChildren();
      return;
    }
    const { images } = await response.json();
    list.replaceChildren(
      ...images.map((image) => {
        const label = image.alt || (image.decorative ? "Decorative image" : `Image ${image.id} (no alt text yet)`);
        const button = element("button", { type: "button", "data-id": String(image.id), "aria-pressed": "false" }, [
          element("img", { src: image.thumb, alt: "", width: "80", height: String(Math.round((80 * image.height) / image.width) || 80) }),
          element("span", { text: label }),
        ]);
        button.addEventListener("click", () => choose(image));
        return element("li", {}, [button]);
      }),
    );
    if (images.length === 0) {
      list.append(element("li", { text: "No image in the library matches." }));
    }
  }

  function open(textarea, image = null) {
    if (dialog === null) {
      build();
    }
    target = textarea;
    showError("");
    say("");
    field("insert-image-file").value = "";
    field("insert-image-search").value = "";
    field("insert-image-title").textContent = image ? "Describe the image you dropped" : "Insert image";
    choose(image);
    dialog.showModal();
    listLibrary("");
    (image ? field("insert-image-alt") : field("insert-image-file")).focus();
  }

  function insertText(text) {
    const start = target.selectionStart;
    const end = target.selectionEnd;
    const before = target.value.slice(0, start);
    const gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    target.value = `${before}${gap}${text}\n\n${target.value.slice(end)}`;
    const caret = before.length + gap.length + text.length;
    target.setSelectionRange(caret, caret);
  }

  async function insert() {
    const data = new FormData();
    const file = field("insert-image-file");
    const alt = field("insert-image-alt").value.trim();
    const decorative = field("insert-image-decorative").checked;
    if (picked === null && !file.files.length) {
      showError("Choose a file to upload, or an image from the library.");
      return;
    }
    if (!(picked && picked.described) && !alt && !decorative) {
      showError("Write the alt text (what the image shows), or tick “Decorative”.");
      field("insert-image-alt").focus();
      return;
    }
    if (picked) {
      data.append("id", picked.id);
    } else {
      data.append("image", file.files[0]);
    }
    data.append("alt_text", alt);
    if (decorative) {
      data.append("decorative", "on");
    }
    const response = await fetch(INSERT_URL, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok || !answer.image_code) {
      showError(answer.error || "The image could not be inserted.");
      return;
    }
    if (dropped && target.value.includes(dropped)) {
      // Described after a drop: the Markdown already there gets the words.
      target.value = target.value.replace(dropped, answer.image_code);
    } else {
      insertText(answer.image_code);
    }
    dropped = null;
    target.dispatchEvent(new Event("input")); // markdownx's preview follows
    dialog.close();
  }

  function addButtons(root) {
    root.querySelectorAll(".markdownx").forEach((container) => {
      const editor = container.querySelector("textarea.markdownx-editor");
      if (editor === null || container.closest(".empty-form") || container.querySelector(".insert-image")) {
        return;
      }
      const label = document.querySelector(`label[for="${editor.id}"]`);
      const name = label ? label.textContent.replace(/:$/, "") : "this text";
      const button = element("button", {
        type: "button",
        class: "button insert-image",
        "aria-label": `Insert image into ${name}`,
        text: "Insert image",
      });
      button.addEventListener("click", () => open(editor));
      editor.before(button);
    });
  }

  document.addEventListener("DOMContentLoaded", () => addButtons(document));
  document.addEventListener("formset:added", (event) => addButtons(event.target));

  // A file dropped on an editor is uploaded by markdownx, which inserts `![](image:ID)`:
  // ask for its alt text at once. (The event does not bubble: capture it.)
  document.addEventListener(
    "markdownx.fileUploadEnd",
    (event) => {
      const answer = event.detail && event.detail[0];
      const editor = event.target.querySelector(".markdownx-editor");
      if (!answer || !answer.id || editor === null) {
        return;
      }
      dropped = answer.image_code;
      // markdownx inserts its text right after this event.
      setTimeout(() => open(editor, { id: answer.id, described: false, alt: "", decorative: false }), 0);
    },
    true,
  );
})();
