// Small progressive enhancements; the pages work without them.
(function () {
  "use strict";

  function showInsecureBanner() {
    var banner = document.getElementById("insecure-banner");
    if (banner && !window.isSecureContext) {
      banner.hidden = false;
    }
  }

  function wireMenuToggle() {
    var button = document.querySelector(".menu-toggle");
    var nav = document.getElementById("mainnav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function wireConfirmButtons() {
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("click", function (event) {
        // a required reason left empty: no question first, the server answers with its message
        var needed = el.form ? el.form.querySelectorAll("[data-required]") : [];
        for (var i = 0; i < needed.length; i++) if (!needed[i].value.trim()) return;
        if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  // Before a too-large upload leaves the browser (the server would refuse it with 413 after
  // sending it all over a slow line): the form's files together against the upload limit.
  function wireUploadLimit() {
    var limit = Number(document.body.getAttribute("data-max-upload") || 0);
    var message = document.body.getAttribute("data-too-large") || "";
    if (!limit) return;
    document.querySelectorAll("form").forEach(function (form) {
      var inputs = form.querySelectorAll("input[type=file]");
      inputs.forEach(function (input) {
        input.addEventListener("change", function () {
          var total = 0;
          inputs.forEach(function (each) {
            Array.prototype.forEach.call(each.files || [], function (file) { total += file.size; });
          });
          var over = total > limit;
          inputs.forEach(function (each) { each.setCustomValidity(over ? message : ""); });
          var note = form.querySelector(".upload-too-large");
          if (!note) {
            note = document.createElement("p");
            note.className = "upload-too-large error";
            note.setAttribute("role", "alert");
            input.insertAdjacentElement("afterend", note);
          }
          note.textContent = over ? message : "";
          note.hidden = !over;
          if (over) input.reportValidity();
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showInsecureBanner();
    wireMenuToggle();
    wireConfirmButtons();
    wireUploadLimit();
  });
})();
