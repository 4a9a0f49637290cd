/*
 * The article form checks, before sending, what the site reads of one request (the limits
 * in mgsite/settings.py, derived from the article limits, are on #request-limits). Over
 * them the server could not read the form at all, so it could neither save it nor show it
 * again with an error: the form says so here instead, and since nothing leaves the page,
 * everything typed stays. Within them, the server's form errors speak (too many sections,
 * too many characters) and keep the input as well.
 */
"use strict";

// What a browser sends for this form (application/x-www-form-urlencoded, line breaks as
// CRLF): the number of fields and of bytes.
function requestSize(form, submitter) {
  const params = new URLSearchParams();
  let fields = 0;
  for (const [name, value] of new FormData(form, submitter)) {
    params.append(name, String(value).replace(/\r\n|\r|\n/g, "\r\n"));
    fields += 1;
  }
  return { fields, bytes: params.toString().length };
}

function tooLargeNote(form) {
  let note = document.getElementById("request-too-large");
  if (note === null) {
    note = document.createElement("p");
    note.id = "request-too-large";
    note.className = "errornote";
    note.setAttribute("role", "alert");
    note.tabIndex = -1;
    form.prepend(note);
  }
  return note;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const limits = document.getElementById("request-limits");
  if (limits === null || !form.contains(limits)) {
    return;
  }
  const max = {
    fields: Number(limits.dataset.maxFields),
    bytes: Number(limits.dataset.maxBytes),
  };
  const size = requestSize(form, event.submitter);
  const number = (n) => n.toLocaleString("en-GB");
  const megabytes = (n) => (n / 1e6).toFixed(1);
  let over = null;
  if (size.fields > max.fields) {
    over = `${number(size.fields)} fields; the most is ${number(max.fields)}`;
  } else if (size.bytes > max.bytes) {
    over = `${megabytes(size.bytes)} MB; the most is ${megabytes(max.bytes)} MB`;
  }
  if (over === null) {
    return;
  }
  event.preventDefault();
  const note = tooLargeNote(form);
  note.textContent =
    `Not saved: this is too much to send in one save (${over}). An article may hold ` +
    `${number(Number(limits.dataset.maxSections))} sections and ` +
    `${number(Number(limits.dataset.maxChars))} characters of Markdown: move part of it ` +
    "into an article of its own and link the two. Nothing has been sent; everything you " +
    "typed is still here.";
  note.focus();
});
