/*
 * Nothing lost, and the whole page as you type, on the article's change form
 * (articles.autosave; the markup is admin/articles/article/_unsaved.html).
 *
 * - Every change to the form is sent, a moment after typing stops (and at least every few
 *   seconds while it goes on), to the editor's own autosave slot: no revision, no draft
 *   change, nothing anyone else sees. A crashed browser loses at most that interval.
 * - Leaving the page with changes that were not saved asks first.
 * - The live preview panel shows the page that slot would make, rendered by the server
 *   through the article page's own template; it reloads after each autosave, keeping its
 *   scroll position.
 * - On opening the form, kept changes from before are offered back, or discarded.
 */
"use strict";

// The admin loads its media scripts in the page's head: wait for the form.
document.addEventListener("DOMContentLoaded", () => {
  const config = document.getElementById("autosave-config");
  const form = document.getElementById("article_form");
  if (config === null || form === null) {
    return;
  }
  const idleMs = Number(config.dataset.idleMs) || 600;
  const maxWaitMs = Number(config.dataset.maxWaitMs) || 5000;
  const status = document.querySelector(".autosave-status");
  const panel = document.getElementById("live-preview");
  const frame = panel.querySelector("iframe");
  // Management forms, row ids and row owners describe this page's rows, not the text.
  const notRestored = /(^csrfmiddlewaretoken$|-(TOTAL_FORMS|INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS|id|article)$)/;

  let unsaved = false; // changed since the page was opened or last saved
  let timer = null;
  let firstChangeAt = null; // of the changes not yet sent
  let sending = null;
  let again = false;
  let submitted = false;

  const csrfToken = () => form.querySelector("[name=csrfmiddlewaretoken]").value;

  const say = (text) => {
    status.textContent = text;
  };

  const formData = () => {
    const data = new FormData(form);
    for (const [name, value] of [...data.entries()]) {
      if (value instanceof File) {
        data.delete(name); // images are uploaded on their own, not kept here
      }
    }
    return data;
  };

  const send = () => {
    timer = null;
    firstChangeAt = null;
    if (submitted) {
      return Promise.resolve(); // the form itself is on its way: it empties the slot
    }
    if (sending !== null) {
      again = true; // one more once this one is answered: the newest text wins
      return sending;
    }
    sending = fetch(config.dataset.autosaveUrl, {
      method: "POST",
      body: formData(),
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    })
      .then((response) =>
        response
          .json()
          .catch(() => ({}))
          .then((answer) => {
            if (response.ok) {
              say(`Unsaved changes kept at ${answer.saved_at}: save to make them the draft.`);
              reloadPreview();
            } else {
              say(answer.error || `Your changes could not be kept (HTTP ${response.status}).`);
            }
          }),
      )
      .catch(() => say("Your changes could not be kept: the server did not answer. Keep this page open."))
      .finally(() => {
        sending = null;
        if (again) {
          again = false;
          send();
        }
      });
    return sending;
  };

  let restoring = false;

  const changed = (event) => {
    if (restoring) {
      return; // our own filling in of kept changes: sent once, when it is done
    }
    if (event.target.closest("#live-preview, .review-actions, .medical-review")) {
      return; // the preview's own buttons and the review panel's boxes are not the article
    }
    unsaved = true;
    if (firstChangeAt === null) {
      firstChangeAt = Date.now();
    }
    window.clearTimeout(timer);
    const waited = Date.now() - firstChangeAt;
    timer = window.setTimeout(send, Math.max(0, Math.min(idleMs, maxWaitMs - waited)));
  };

  form.addEventListener("input", changed);
  form.addEventListener("change", changed); // also moves and drags (static/js/section-order.js)
  // The relation boxes (select2) announce a person's choice as jQuery events only (their
  // plain "change" also fires when they start up, so it says nothing).
  if (window.django && window.django.jQuery) {
    window.django.jQuery(form).on("select2:select select2:unselect select2:clear", "select", changed);
  }
  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitter && submitter.hasAttribute("formaction")) {
      // A review step (comment, submit, approve, resolve) posts elsewhere and leaves the
      // article's text behind: keep it in the slot first, so the form offers it back.
      if (unsaved) {
        navigator.sendBeacon(config.dataset.autosaveUrl, formData());
        unsaved = false;
      }
      window.clearTimeout(timer);
      submitted = true;
      return;
    }
    unsaved = false; // the server has it now (and empties the slot once it is saved)
    submitted = true;
    window.clearTimeout(timer);
  });
  window.addEventListener("beforeunload", (event) => {
    if (unsaved) {
      event.preventDefault();
      event.returnValue = ""; // the browser words the question itself
    }
  });

  // A save that was refused (a form error, a lock, an edit conflict) shows the form again
  // with the editor's text in it: that text is not saved anywhere yet.
  if (form.querySelector(".errornote, .errorlist")) {
    unsaved = true;
    send();
  }

  // The live preview ---------------------------------------------------------------------

  let scrollY = 0;

  const reloadPreview = () => {
    if (panel.hidden) {
      return;
    }
    try {
      scrollY = frame.contentWindow.scrollY;
    } catch {
      scrollY = 0;
    }
    frame.src = `${config.dataset.previewUrl}?at=${Date.now()}`;
  };

  frame.addEventListener("load", () => {
    try {
      frame.contentWindow.scrollTo(0, scrollY);
    } catch {
      // about:blank, before the first load
    }
  });

  const showPreview = (shown) => {
    panel.hidden = !shown;
    document.body.classList.toggle("live-preview-open", shown);
    document.querySelectorAll("[data-preview-toggle]").forEach((button) => {
      button.setAttribute("aria-expanded", String(shown));
    });
    if (shown) {
      (timer !== null ? send() : Promise.resolve()).then(reloadPreview);
      panel.querySelector("[data-preview-toggle]").focus();
    } else {
      document.querySelector(".live-preview-bar [data-preview-toggle]").focus();
    }
  };

  document.querySelectorAll("[data-preview-toggle]").forEach((button) => {
    button.addEventListener("click", () => showPreview(panel.hidden));
  });

  panel.querySelectorAll("[data-preview-width]").forEach((button) => {
    button.addEventListener("click", () => {
      const phone = button.dataset.previewWidth === "phone";
      panel.classList.toggle("live-preview-phone", phone);
      panel.querySelectorAll("[data-preview-width]").forEach((other) => {
        other.setAttribute("aria-pressed", String(other === button));
      });
    });
  });

  const full = panel.querySelector("[data-preview-full]");
  full.addEventListener("click", () => {
    const on = !panel.classList.contains("live-preview-full");
    panel.classList.toggle("live-preview-full", on);
    document.body.classList.toggle("live-preview-full-open", on);
    full.setAttribute("aria-pressed", String(on));
  });

  // Kept changes from before ------------------------------------------------------------

  const offer = document.querySelector(".autosave-offer");

  const addRows = (data) => {
    for (const prefix of ["sections", "updates"]) {
      const total = form.querySelector(`[name="${prefix}-TOTAL_FORMS"]`);
      const wanted = Number((data[`${prefix}-TOTAL_FORMS`] || [])[0]);
      const add = document.querySelector(`#${prefix}-group .add-row a`);
      if (total === null || add === null || !Number.isInteger(wanted)) {
        continue;
      }
      for (let guard = 0; Number(total.value) < wanted && guard < 2000; guard += 1) {
        add.click();
      }
    }
  };

  const putRowsInOrder = () => {
    // The restored positions decide the order, as a save would: put the rows there too.
    const group = document.querySelector("#sections-group .inline-related.has_original");
    if (group === null) {
      return;
    }
    const parent = group.parentElement;
    const rows = [...parent.querySelectorAll(":scope > .inline-related.has_original")];
    const position = (row) => Number(row.querySelector("input._reorder_")?.value) || Infinity;
    const ordered = [...rows].sort((a, b) => position(a) - position(b));
    const after = rows[rows.length - 1].nextSibling;
    ordered.forEach((row) => parent.insertBefore(row, after));
  };

  const restore = (data) => {
    restoring = true;
    addRows(data);
    for (const [name, values] of Object.entries(data)) {
      if (notRestored.test(name)) {
        continue;
      }
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((field, index) => {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.includes(field.value);
        } else if (field.tagName === "SELECT") {
          for (const option of field.options) {
            option.selected = values.includes(option.value);
          }
        } else if (field.type !== "file") {
          field.value = values[Math.min(index, values.length - 1)];
        }
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
    putRowsInOrder();
    restoring = false;
  };

  if (offer !== null) {
    offer.querySelector("[data-autosave-restore]").addEventListener("click", () => {
      fetch(config.dataset.autosaveUrl, { credentials: "same-origin" })
        .then((response) =>
          response.json().then((answer) => {
            if (!response.ok) {
              throw new Error(answer.error || `HTTP ${response.status}`);
            }
            return answer;
          }),
        )
        .then((answer) => {
          restore(answer.data || {});
          offer.remove();
          unsaved = true;
          say(`Your changes from ${answer.saved_at} are back in the form. Save to keep them.`);
          send();
        })
        .catch((error) => {
          offer.remove();
          say(`Nothing was brought back: ${error.message}`);
        });
    });
    offer.querySelector("[data-autosave-discard]").addEventListener("click", () => {
      fetch(config.dataset.discardUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      })
        .then((response) => {
          if (response.ok) {
            offer.remove();
            say("Your kept changes were discarded.");
          } else {
            say("Your kept changes could not be discarded. Try again.");
          }
        })
        .catch(() => say("Your kept changes could not be discarded: the server did not answer."));
    });
  }
});
