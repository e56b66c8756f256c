/* The image library in the desk: the focal point picker and the lead image chooser. */
"use strict";
(function () {
  // Focal point: click the picture; the hidden focal_x / focal_y fields follow.
  function setUpFocalPicker(picker) {
    const form = picker.closest("form");
    const x = form.querySelector("input[name=focal_x]");
    const y = form.querySelector("input[name=focal_y]");
    const dot = picker.querySelector(".focal-dot");
    const show = () => {
      dot.style.left = (parseFloat(x.value) * 100) + "%";
      dot.style.top = (parseFloat(y.value) * 100) + "%";
    };
    picker.addEventListener("click", (event) => {
      const box = picker.querySelector("img").getBoundingClientRect();
      const clamp = (v) => Math.min(1, Math.max(0, v));
      x.value = clamp((event.clientX - box.left) / box.width).toFixed(3);
      y.value = clamp((event.clientY - box.top) / box.height).toFixed(3);
      show();
    });
    show();
  }

  // Lead image chooser: the raw id field with a thumbnail that follows it.
  function setUpChooser(chooser) {
    const input = chooser.querySelector("input.vForeignKeyRawIdAdminField");
    const preview = chooser.querySelector(".image-chooser-preview");
    const infoUrl = (id) => chooser.dataset.infoUrl.replace(/\/0\/info\/$/, "/" + id + "/info/");
    const render = (info) => {
      preview.replaceChildren();
      if (info) {
        const img = document.createElement("img");
        img.src = info.thumbnail; img.width = 160; img.height = 120; img.alt = info.alt;
        const title = document.createElement("span");
        title.className = "image-chooser-title"; title.textContent = info.title;
        preview.append(img, title);
      }
    };
    const update = () => {
      const id = input.value.trim();
      if (!/^\d+$/.test(id)) { render(null); return; }
      fetch(infoUrl(id), {credentials: "same-origin"}).then((r) => r.ok ? r.json() : null).then(render);
    };
    // Django's lookup popup sets the value and triggers a jQuery change event.
    if (window.django && window.django.jQuery) { window.django.jQuery(input).on("change", update); }
    input.addEventListener("change", update);
    chooser.querySelector(".image-chooser-choose").addEventListener("click", (event) => {
      event.preventDefault();
      document.getElementById(event.target.dataset.lookup).click();
    });
    chooser.querySelector(".image-chooser-clear").addEventListener("click", (event) => {
      event.preventDefault();
      input.value = "";
      render(null);
    });
  }

  function ready() {
    document.querySelectorAll(".focal-picker").forEach(setUpFocalPicker);
    document.querySelectorAll(".image-chooser").forEach(setUpChooser);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
