/*
 * The article form of the desk never loses text:
 * - leaving the page with unsaved changes asks first (beforeunload);
 * - the text is autosaved every 30 s and when a field loses focus, into the
 *   user's one autosave slot for this article (no revision);
 * - Ctrl+S / Cmd+S saves (and continues editing).
 * The workflow buttons submit this same form (see change_form.html), so
 * unsaved text is saved first, through the version check.
 */
"use strict";
(function () {
  const form = document.getElementById("article_form");
  const config = document.getElementById("desk-form-config");
  if (!form || !config) return;
  const AUTOSAVE_EVERY_MS = 30000;
  const FIELDS = ["title", "slug", "standfirst", "body", "topic", "tags", "byline",
    "source", "source_url", "lead_image", "lead_image_caption"];

  const content = () => {
    const data = new FormData(form);
    return JSON.stringify(FIELDS.map((name) => [name, data.getAll(name)]));
  };

  const loaded = content();
  let lastAutosaved = loaded;
  let submitting = false;
  // A restored autosave is not saved yet: it counts as a change.
  const dirty = () => config.dataset.restored === "1" || content() !== loaded;

  const status = document.createElement("span");
  status.id = "desk-autosave-status";
  status.className = "help";
  status.setAttribute("role", "status");
  const submitRow = form.querySelector(".submit-row");
  if (submitRow) submitRow.append(status);

  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !dirty()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  async function autosave() {
    const now = content();
    if (submitting || now === lastAutosaved || now === loaded) return;
    const data = new FormData();
    const all = new FormData(form);
    for (const name of [...FIELDS, "base_version", "csrfmiddlewaretoken"]) {
      if (all.has(name)) data.append(name, all.get(name));
    }
    try {
      const response = await fetch(config.dataset.autosaveUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || response.status);
      lastAutosaved = now;
      status.textContent = `${config.dataset.savedLabel} ${answer.saved_at} (${answer.zone})`;
    } catch (error) {
      status.textContent = `${config.dataset.failedLabel}: ${error.message}`;
    }
  }
  window.deskAutosave = autosave; // for the browser test
  setInterval(autosave, AUTOSAVE_EVERY_MS);
  form.addEventListener("focusout", () => { autosave(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosave();
  });

  // 字数: characters of the title, standfirst and body (text, not markup,
  // not spaces), with the recommended title length (settings.DESK_TITLE_MAX_CHARS).
  // Counted by code point, so every Chinese character (even outside the
  // Basic Multilingual Plane) and every letter counts one.
  const TITLE_MAX = parseInt(config.dataset.titleMax, 10) || 30;
  const characters = (text) => [...text.replace(/\s+/g, "")].length;
  // Parsed into an inert document: nothing in the markup loads or runs.
  const bodyText = (html) => new DOMParser().parseFromString(html, "text/html").body.textContent;
  function counter(name, read) {
    const field = form.querySelector(`[name=${name}]`);
    const row = field && field.closest(".form-row, .fieldBox");
    if (!row) return;
    const out = document.createElement("div");
    out.className = "help desk-count-chars";
    out.id = `desk-count-${name}`;
    row.append(out);
    const show = () => {
      const count = characters(read(field.value));
      let text = `${config.dataset.countLabel}: ${count}`;
      if (name === "title") {
        const over = count > TITLE_MAX;
        text += ` (${config.dataset.titleAdvice})`;
        if (over) text += ` — ${config.dataset.titleOver}`;
        out.classList.toggle("errornote", over);
        out.classList.toggle("desk-count-over", over);
      }
      out.textContent = text;
    };
    field.addEventListener("input", show);
    show();
  }
  counter("title", (v) => v);
  counter("standfirst", (v) => v);
  counter("body", bodyText);

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault();
      const button = form.querySelector("input[name=_continue], button[name=_continue]");
      if (button) button.click();
      else form.requestSubmit();
    }
  });
})();
