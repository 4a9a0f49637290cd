/*
 * "NAME is also editing this article (since 10:42)" and the article's lock, on its change
 * form (articles.presence). A heartbeat goes to the server on load and every data-interval
 * seconds while the tab is visible: none while it is hidden, one at once when it is shown
 * again. Who has left drops out after the server's window. The lock buttons post without
 * leaving the page, so nothing typed in the form is lost.
 */
"use strict";

// The admin loads its media in the page's head: wait for the form.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("article-presence");
  if (!box) {
    return;
  }
  const every = Math.max(1, Number(box.dataset.interval) || 15) * 1000;
  let timer = null;

  function token() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Replace a region's paragraphs only when their text changes: a screen reader then
  // announces news, not every heartbeat.
  function say(region, texts) {
    const now = Array.from(region.children, (p) => p.textContent);
    if (now.join("\n") === texts.join("\n")) {
      return;
    }
    region.replaceChildren(
      ...texts.map((text) => {
        const p = document.createElement("p");
        p.textContent = text;
        return p;
      }),
    );
  }

  function show(state) {
    say(box.querySelector(".presence-others"), state.others.map((other) => other.text));
    say(box.querySelector(".presence-lock"), state.lock ? [state.lock.text] : []);
    const notices = [state.notice, state.message].filter(Boolean);
    if (notices.length) {
      say(box.querySelector(".presence-notice"), notices);
    }
    document.querySelectorAll("[data-lock-tool]").forEach((tool) => {
      tool.hidden = !state[`can_${tool.dataset.lockTool}`];
    });
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token() },
    });
    const type = response.headers.get("Content-Type") || "";
    return type.startsWith("application/json") ? response.json() : null;
  }

  function beat() {
    post(box.dataset.presenceUrl)
      .then((state) => state && show(state))
      .catch(() => {}); // offline for a moment: the next heartbeat tries again
  }

  function start() {
    stop();
    beat();
    timer = window.setInterval(beat, every);
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  document.addEventListener("visibilitychange", () => (document.hidden ? stop() : start()));
  if (!document.hidden) {
    start();
  }

  document.querySelectorAll("form[data-lock-form]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      post(form.action, new FormData(form))
        .then((state) => {
          if (!state) {
            return;
          }
          show(state);
          // The pressed button may be hidden now: keep the keyboard on the lock tools.
          if (form.closest("[hidden]")) {
            const next = document.querySelector("[data-lock-tool]:not([hidden]) button");
            (next || box).focus();
          }
        })
        .catch(() => {
          say(box.querySelector(".presence-notice"), ["The server did not answer: try again."]);
        });
    });
  });
});
