/*
 * Content checks as the editor types: a moment after the last change to the form, its
 * fields go to the article's staff-only checks endpoint (ArticleAdmin.live_checks_view),
 * which renders the draft in memory through the same pipeline as a save and answers with
 * the same checks, in the same words, as the list shown for the article as last saved.
 * Nothing is saved by it. An answer overtaken by a newer change is dropped.
 */
"use strict";

const CHECKS_DELAY_MS = 600;

let checksTimer = null;
let checksRequest = null;

function showChecks(panel, checks) {
  const items = checks.map((check) => {
    const item = document.createElement("li");
    item.className = check.ok ? "check-ok" : "check-todo";
    const label = document.createElement("strong");
    label.textContent = `${check.ok ? "✓" : "!"} ${check.label}:`;
    item.append(label, ` ${check.detail}`);
    return item;
  });
  panel.querySelector(".checks-list").replaceChildren(...items);
  panel.querySelector(".checks-when").textContent = "as typed, not saved yet";
}

async function refreshChecks(form, panel) {
  if (checksRequest !== null) {
    checksRequest.abort();
  }
  checksRequest = new AbortController();
  let answer;
  try {
    const response = await fetch(panel.dataset.liveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      signal: checksRequest.signal,
    });
    answer = await response.json();
  } catch {
    return; // overtaken by a newer change, or offline: the list stays as it was
  }
  if (answer.checks) {
    showChecks(panel, answer.checks);
  } else if (answer.error) {
    panel.querySelector(".checks-when").textContent = answer.error;
  }
}

function scheduleChecks(event) {
  const form = event.target.closest && event.target.closest("form");
  const panel = document.querySelector(".content-checks[data-live-url]");
  if (form === null || panel === null || !form.contains(panel)) {
    return;
  }
  clearTimeout(checksTimer);
  checksTimer = setTimeout(() => refreshChecks(form, panel), CHECKS_DELAY_MS);
}

// "change" too: moving a section (our buttons send it, and SortableJS in
// django-admin-sortable2 sends one of its own while dragging) or marking one for deletion
// changes what the checks read.
document.addEventListener("input", scheduleChecks);
document.addEventListener("change", scheduleChecks);
