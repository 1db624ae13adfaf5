// Live status of PDF renderings: polls each [data-report-status] URL until the rendering is
// ready or failed, then reloads the page (which shows the download or the error and a retry).
// The page works without it: reloading by hand shows the same.
(function () {
  "use strict";

  var DELAYS = [1000, 1500, 2000, 3000, 5000];

  function poll(el, attempt) {
    var url = el.getAttribute("data-report-status");
    window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.label) el.textContent = state.label;
        if (state && (state.status === "ready" || state.status === "failed")) {
          window.location.reload();
          return;
        }
        var delay = DELAYS[Math.min(attempt, DELAYS.length - 1)];
        window.setTimeout(function () { poll(el, attempt + 1); }, delay);
      })
      .catch(function () {
        window.setTimeout(function () { poll(el, attempt + 1); }, 5000);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-report-status]").forEach(function (el) { poll(el, 0); });
  });
})();
