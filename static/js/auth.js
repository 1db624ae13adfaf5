// Recovery codes page: print the codes, or save them as a text file. The page works without it.
(function () {
  "use strict";

  function codesText(list) {
    var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (el) {
      return el.textContent.trim();
    });
    return "CCHC - " + list.getAttribute("data-account") + "\r\n" + codes.join("\r\n") + "\r\n";
  }

  function download(list) {
    var blob = new Blob([codesText(list)], { type: "text/plain;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "cchc-ma-khoi-phuc-" + list.getAttribute("data-account") + ".txt";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("recovery-codes");
    var printButton = document.querySelector("[data-print-codes]");
    var saveButton = document.querySelector("[data-download-codes]");
    if (!list) return;
    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
    if (saveButton) {
      saveButton.hidden = false;
      saveButton.addEventListener("click", function () { download(list); });
    }
  });
})();
