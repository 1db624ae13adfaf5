// Dashboard filters: show only the fields of the chosen period kind (all show without script).
(function () {
  "use strict";

  function sync(select) {
    var kind = select.value;
    document.querySelectorAll(".dash-filters [data-period]").forEach(function (field) {
      var kinds = field.getAttribute("data-period").split(" ");
      field.hidden = kinds.indexOf(kind) < 0 && !field.classList.contains("has-error");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector(".dash-filters select[name=period]");
    if (!select) return;
    select.addEventListener("change", function () { sync(select); });
    sync(select);
  });
})();
