// New-inspection form: the team candidates carry the ids of the units they belong to (data-inside,
// the unit, its parents and successors). For a surprise (đột xuất) inspection the chosen target's
// people are left out of the lead and member lists; for any other kind they stay, marked, with the
// warning. Without this script every candidate is offered and the server refuses an insider on a
// surprise inspection with a message naming the person.
(function () {
  "use strict";

  var form = document.querySelector("[data-team-rule]");
  if (!form) return;
  var target = form.querySelector("select[name=unit_id]");
  var warning = form.querySelector("[data-team-warning]");
  var candidates = Array.prototype.slice.call(form.querySelectorAll("[data-inside]"));

  function kind() {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "";
  }

  function inside(el, unit) {
    return unit !== "" && (" " + el.getAttribute("data-inside") + " ").indexOf(" " + unit + " ") !== -1;
  }

  function holder(el) {  // a checkbox's list item, or the option itself
    return el.tagName === "OPTION" ? el : (el.closest("li") || el.parentNode);
  }

  function update() {
    var unit = target ? target.value : "";
    var surprise = kind() === "surprise";
    var names = [];
    candidates.forEach(function (el) {
      var isInside = inside(el, unit);
      var leftOut = surprise && isInside;
      holder(el).hidden = leftOut;
      el.disabled = leftOut;
      if (leftOut) {
        if (el.tagName === "OPTION") el.selected = false; else el.checked = false;
      }
      holder(el).classList.toggle("insider", isInside && !surprise);
      if (isInside && !surprise && el.tagName === "OPTION") names.push(el.textContent.split(" — ")[0]);
    });
    if (warning) {
      warning.hidden = surprise || names.length === 0;
      var list = warning.querySelector("[data-names]");
      if (list) list.textContent = names.join(", ");
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target === target || event.target.name === "kind") update();
  });
  update();
})();
