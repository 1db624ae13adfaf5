// The inspector's tablet screen: shared words, helpers and the submission state on screen, and the
// "Kiểm tra hôm nay" list. field-checklist.js and field-inspection.js build one inspection.
// Reads use CCHCField.net.getJSON; every write goes through CCHCField.net.submit (field-net.js),
// each with a client UUID kept for its retries. Words come translated from the page (#field-text).
(function () {
  "use strict";

  var F = window.CCHCField = window.CCHCField || {};
  var S = F.state = {root: null, api: "", id: 0, userId: 0, data: null, items: [], findings: [], index: 0,
                     position: null, free: {photos: []}, freeSub: null, closeSub: null};
  var words = {};

  // ---------------------------------------------------------------- words and small helpers

  function loadWords() {
    document.querySelectorAll("#field-text [data-key]").forEach(function (node) {
      words[node.getAttribute("data-key")] = node.textContent.trim();
    });
  }

  function t(key, values) {
    var text = words[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function $(selector, scope) {
    return (scope || document).querySelector(selector);
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function fromTemplate(id) {
    return document.getElementById(id).content.firstElementChild.cloneNode(true);
  }

  function dmy(iso) {
    var p = (iso || "").split("-");
    return p.length === 3 ? p[2] + "/" + p[1] + "/" + p[0] : "";
  }

  function clock(date) {
    var d = date || new Date();
    return (d.getHours() < 10 ? "0" : "") + d.getHours() + ":" + (d.getMinutes() < 10 ? "0" : "") + d.getMinutes();
  }

  function todayISO() {
    return F.net.deviceTime().slice(0, 10);
  }

  function dates(inspection) {
    var start = dmy(inspection.start_on), end = dmy(inspection.end_on);
    return start === end ? start : start + " – " + end;
  }

  function leadName(inspection) {
    var lead = inspection.team.filter(function (m) { return m.role === "lead"; })[0];
    return lead ? lead.name : "";
  }

  function samePayload(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // ---------------------------------------------------------------- submissions

  // One write and its state on screen: đang gửi / đã lưu / lỗi (with "Gửi lại", same UUID).
  function Submission(kind, url, payload, box, on) {
    this.kind = kind;
    this.url = url;
    this.payload = payload;
    this.box = box;
    this.on = on || {};
    this.state = "new";
  }

  function send(sub) {
    if (sub.state === "sending") return;
    show(sub, "sending", t("state.sending"));
    F.net.submit(sub.kind, sub.url, sub.payload).then(
      function (res) { settle(sub, res); },
      function () { show(sub, "error", t("err.network"), true); });
  }

  function settle(sub, res) {
    var body = res.body || {};
    if (res.queued) {  // stored on the device by the outbox (field-outbox.js), sent when there is signal
      show(sub, "queued", t("state.queued"), true);
      if (res.settled) res.settled.then(function (later) { settleLater(sub, later); });
    } else if (res.status === 200 || res.status === 201 || res.status === 202 && !body.correction) {
      // 202 without a correction: an identical resubmission, already stored (already_stored: true)
      show(sub, "saved", t("state.saved", {time: clock()}));
    } else if (res.status === 202) {  // kept as a pending correction for the lead
      show(sub, "pending", t("state.pending"));
    } else if (res.status === 409 && body.current && Object.keys(body.current).length && sub.on.conflict) {
      show(sub, "conflict", t("state.conflict") + " " + body.error);
      return sub.on.conflict(body.current);
    } else if (res.status === 401) {
      return show(sub, "error", t("err.session"), true);
    } else if (res.status >= 500 || !res.status) {
      return show(sub, "error", t("err.server", {code: res.status}), true);
    } else {
      show(sub, "error", t("state.error") + " " + (body.error || t("err.server", {code: res.status})));
      return sub.on.refused && sub.on.refused(res.status, body);
    }
    if (sub.on.saved) sub.on.saved(body);
  }

  // The server's answer to an item the outbox sent later: a finding's form has moved on, so only its state.
  function settleLater(sub, res) {
    if (sub.kind === "finding" && res.status >= 200 && res.status < 300) {
      return show(sub, "saved", t("state.saved", {time: clock()}));
    }
    settle(sub, res);
  }

  function show(sub, state, message, retryable) {
    sub.state = state;
    if (sub.on.busy) sub.on.busy(state === "sending");
    var box = sub.box;
    box.className = box.className.replace(/\s*is-\w+/g, "") + " is-" + state;
    box.textContent = "";
    box.appendChild(make("span", "sub-text", message));
    if (retryable) {
      var retry = make("button", "btn btn-small retry-btn", t("action.retry"));
      retry.type = "button";
      retry.addEventListener("click", function () {
        if (sub.state === "queued" && F.outbox) return F.outbox.drain();  // already on the device: send now
        send(sub);
      });
      box.appendChild(retry);
    }
  }

  function note(box, message, state) {
    box.className = box.className.replace(/\s*is-\w+/g, "") + " is-" + (state || "error");
    box.textContent = message;
  }

  // A message about input the user has since changed: gone as they type.
  function clearInvalid(box, message) {
    if (box.classList.contains("is-invalid")) note(box, message || "", "unsaved");
  }

  function api(path) {
    return S.api + path;
  }

  // ---------------------------------------------------------------- "Kiểm tra hôm nay"

  function initToday(root) {
    S.api = root.getAttribute("data-api-root");
    F.net.getJSON(api("/inspections/today")).then(function (res) {
      $("#today-loading").hidden = true;
      if (res.status !== 200) return note($("#today-loading"), t("err.load"));
      renderToday(root, res.body.inspections || []);
    }, function () { note($("#today-loading"), t("err.load")); });
  }

  function renderToday(root, inspections) {
    var list = $("#today-list"), today = todayISO();
    var now = inspections.filter(function (i) { return i.start_on <= today; });
    var later = inspections.filter(function (i) { return i.start_on > today; });
    if (!inspections.length) list.appendChild(make("p", "card muted", t("today.empty")));
    [[t("today.today"), now], [t("today.upcoming"), later]].forEach(function (group) {
      if (!group[1].length) return;
      list.appendChild(make("h2", "today-heading", group[0]));
      var ul = make("ul", "today-cards");
      group[1].forEach(function (i) { ul.appendChild(todayCard(root, i)); });
      list.appendChild(ul);
    });
  }

  function todayCard(root, inspection) {
    var card = fromTemplate("tpl-today-card");
    $(".today-link", card).href = root.getAttribute("data-field-root") + "/" + inspection.id;
    $(".today-when", card).textContent = dates(inspection) + (inspection.number ? " · " + inspection.number : "");
    $(".today-unit", card).textContent = inspection.unit.name;
    $(".today-title", card).textContent = inspection.title;
    $(".today-kind", card).textContent = t("kind." + inspection.kind);
    $(".today-status", card).textContent = t("status." + inspection.status);
    $(".today-status", card).classList.add("st-" + inspection.status);
    $(".today-lead", card).textContent = t("today.lead", {name: leadName(inspection)});
    return card;
  }

  F.ui = {t: t, $: $, make: make, fromTemplate: fromTemplate, dmy: dmy, clock: clock, dates: dates,
          samePayload: samePayload, Submission: Submission, send: send, note: note, clearInvalid: clearInvalid,
          api: api};

  document.addEventListener("DOMContentLoaded", function () {
    if (!F.net) return;
    loadWords();
    var today = document.getElementById("field-today"), one = document.getElementById("field");
    if (today) initToday(today);
    if (one && F.inspection) F.inspection.init(one);
  });
})();
