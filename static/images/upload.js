/* Upload several images at once, one request per file, each with its progress bar. */
"use strict";
(function () {
  const form = document.getElementById("image-upload");
  const input = document.getElementById("id_files");
  const list = document.getElementById("upload-list");
  const zone = form.querySelector(".drop-zone");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const maxBytes = parseInt(form.dataset.maxBytes, 10);
  let queue = Promise.resolve();

  function row(file) {
    const li = document.createElement("li");
    li.className = "upload-item";
    const name = document.createElement("strong");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    const status = document.createElement("span");
    status.className = "upload-status";
    const thumb = document.createElement("img");
    thumb.alt = "";
    li.append(thumb, name, bar, status);
    list.append(li);
    return {li, bar, status, thumb};
  }

  function send(file, ui) {
    return new Promise((resolve) => {
      if (file.size > maxBytes) {
        ui.status.textContent = form.dataset.tooLarge + " (" + (maxBytes / 1e6).toFixed(0) + " MB).";
        ui.status.className = "upload-error"; ui.bar.remove(); resolve(); return;
      }
      const data = new FormData();
      data.append("file", file);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) { ui.bar.value = Math.round(event.loaded / event.total * 100); }
      });
      xhr.upload.addEventListener("load", () => { ui.bar.removeAttribute("value"); ui.status.textContent = form.dataset.processing; });
      xhr.addEventListener("load", () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {error: form.dataset.failed}; }
        ui.bar.remove();
        if (xhr.status >= 400) {
          ui.status.textContent = body.error || form.dataset.failed;
          ui.status.className = "upload-error";
        } else {
          ui.thumb.src = body.thumbnail;
          ui.li.dataset.imageId = body.id;
          const link = document.createElement("a");
          link.href = body.change_url; link.textContent = form.dataset.edit;
          ui.status.className = body.created ? "upload-done" : "upload-duplicate";
          ui.status.textContent = (body.created ? form.dataset.done : form.dataset.duplicate) + ": " +
            (body.message ? body.message + " " : "");
          ui.status.append(link);
        }
        resolve();
      });
      xhr.addEventListener("error", () => { ui.bar.remove(); ui.status.textContent = form.dataset.failed; ui.status.className = "upload-error"; resolve(); });
      xhr.send(data);
    });
  }

  function add(files) {
    for (const file of files) {
      const ui = row(file);
      queue = queue.then(() => send(file, ui));  // one at a time: the server makes renditions
    }
  }

  input.addEventListener("change", () => { add(input.files); input.value = ""; });
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => { event.preventDefault(); zone.classList.remove("dragging"); add(event.dataTransfer.files); });
})();
