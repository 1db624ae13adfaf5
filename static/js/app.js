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
        if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showInsecureBanner();
    wireMenuToggle();
    wireConfirmButtons();
  });
})();
