// Checklist template form: add, remove and reorder criteria rows. Without it the form offers
// empty rows and blank rows are ignored, so the page works all the same.
(function () {
  "use strict";

  var FIELD_NAME = /^items-(\d+|__index__)-/;

  function rows(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[data-item-row]"));
  }

  function isBlank(row) {
    return Array.prototype.every.call(row.querySelectorAll("input[type=text], textarea"), function (el) {
      return el.value.trim() === "";
    });
  }

  function renumber(list) {
    var label = list.getAttribute("data-number-label") || "{n}";
    rows(list).forEach(function (row, index) {
      row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && FIELD_NAME.test(value)) el.setAttribute(attr, value.replace(FIELD_NAME, "items-" + index + "-"));
        });
      });
      var number = row.querySelector("[data-item-number]");
      if (number) number.textContent = label.replace("{n}", String(index + 1));
    });
  }

  function clear(row) {
    row.querySelectorAll("input[type=text], textarea").forEach(function (el) { el.value = ""; });
    row.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
  }

  function addRow(list, prototype) {
    var fragment = prototype.content.cloneNode(true);
    var row = fragment.querySelector("[data-item-row]");
    var previous = rows(list).pop();
    var area = previous && previous.querySelector("select");
    list.appendChild(fragment);
    wireRow(list, row);
    // a new criterion usually belongs to the same area as the one above it
    if (area) row.querySelector("select").value = area.value;
    renumber(list);
    row.querySelector("textarea").focus();
  }

  function move(list, row, step) {
    var sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return;
    list.insertBefore(row, step < 0 ? sibling : sibling.nextElementSibling);
    renumber(list);
  }

  function removeRow(list, row) {
    if (rows(list).length === 1) {
      clear(row);
      return;
    }
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber(list);
    if (next) next.querySelector("textarea").focus();
  }

  function wireRow(list, row) {
    var tools = row.querySelector("[data-item-tools]");
    if (tools) tools.hidden = false;
    row.querySelector("[data-item-up]").addEventListener("click", function (event) {
      move(list, row, -1);
      event.currentTarget.focus();
    });
    row.querySelector("[data-item-down]").addEventListener("click", function (event) {
      move(list, row, 1);
      event.currentTarget.focus();
    });
    row.querySelector("[data-item-remove]").addEventListener("click", function () { removeRow(list, row); });
  }

  function trimTrailingBlanks(list) {
    var all = rows(list);
    while (all.length > 1 && isBlank(all[all.length - 1]) && isBlank(all[all.length - 2])) {
      all.pop().remove();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-item-list]");
    var prototype = document.querySelector("template[data-item-prototype]");
    var addButton = document.querySelector("[data-item-add]");
    if (!list || !prototype || !addButton) return;
    trimTrailingBlanks(list);
    rows(list).forEach(function (row) { wireRow(list, row); });
    renumber(list);
    addButton.hidden = false;
    addButton.addEventListener("click", function () { addRow(list, prototype); });
  });
})();
