// The checklist of one inspection: items grouped by area, one at a time or as a list, the three
// verdicts, the finding of a non-compliant item, and a 409 shown with the current value.
(function () {
  "use strict";

  var F = window.CCHCField, U = F.ui, S = F.state;
  var t = U.t, $ = U.$, make = U.make, fromTemplate = U.fromTemplate, clock = U.clock, note = U.note, api = U.api;
  var Submission = U.Submission, send = U.send, samePayload = U.samePayload, clearInvalid = U.clearInvalid;
  var NC = "non_compliant";

  // ---------------------------------------------------------------- the checklist

  function Item(data, index, result) {
    this.data = data;
    this.index = index;
    this.result = result || null;
    this.chosen = result ? result.value : null;
    this.finding = null;
    this.sub = null;
    this.photos = [];
    this.card = buildCard(this);
    this.finding = findingOf(this);
  }

  function findingOf(item) {
    return S.findings.filter(function (f) { return f.item_id === item.data.id; })[0] || null;
  }

  function buildCard(item) {
    var card = fromTemplate("tpl-item"), d = item.data, key = "item-" + d.id;
    card.id = key;
    $(".item-code", card).textContent = d.code;
    $(".item-criterion", card).textContent = d.criterion;
    $(".item-points", card).textContent = d.points !== null ? t("points", {points: d.points}) : "";
    $(".item-guidance p", card).textContent = d.guidance || "";
    $(".item-guidance", card).hidden = !d.guidance;
    labelFor($(".description-label", card), $(".f-description", card), key + "-description");
    labelFor($(".note-label", card), $(".f-note", card), key + "-note");
    card.querySelectorAll(".severity-choice input").forEach(function (r) { r.name = key + "-severity"; });
    item.box = $(".sub-state", card);
    wireCard(item, card);
    return card;
  }

  function labelFor(label, control, id) {
    control.id = id;
    label.setAttribute("for", id);
  }

  function wireCard(item, card) {
    card.querySelectorAll(".verdict").forEach(function (button) {
      button.addEventListener("click", function () { choose(item, button.getAttribute("data-value")); });
    });
    $(".f-note", card).addEventListener("change", function () { noteChanged(item); });
    $(".save-finding", card).addEventListener("click", function () { saveFinding(item); });
    $(".finding-panel", card).addEventListener("input", function () { clearInvalid(item.box, t("state.unsaved")); });
    card.addEventListener("input", function () { keepDraft(item); });
    card.addEventListener("change", function () { keepDraft(item); });
    $(".photo-input", card).addEventListener("change", function (e) {
      F.inspection.takePhotos(item, e.target, $(".photo-list", card));
    });
  }

  function renderChecklist() {
    var list = $("#checklist"), strip = $("#item-strip"), section = null, area = null;
    S.items.forEach(function (item) {
      if (!section || item.data.area !== area) {
        area = item.data.area;
        section = fromTemplate("tpl-area");
        $(".area-title", section).textContent = area || t("area.none");
        list.appendChild(section);
      }
      section.appendChild(item.card);
      item.section = section;
      item.chip = make("button", "chip item-chip", item.data.code || String(item.index + 1));
      item.chip.type = "button";
      item.chip.addEventListener("click", function () { go(item.index, true); });
      strip.appendChild(item.chip);
      fillCard(item);
    });
  }

  function fillCard(item) {
    var card = item.card;
    $(".f-note", card).value = item.result ? item.result.note : "";
    if (item.finding) {
      $(".f-description", card).value = item.finding.description;
      checkRadio(card, item.finding.severity);
    }
    showSaved(item);
    restoreDraft(item);
  }

  // Where the item's verdict is: on the server (since when), or on the tablet waiting for signal.
  function showSaved(item) {
    if (!item.result || item.box.classList.contains("is-unsaved")) return;  // a draft's note stays
    if (item.sub && item.sub.state !== "saved" && item.sub.state !== "queued") return;  // an error, a conflict
    if (item.result.local) note(item.box, t("state.local"), "queued");
    else note(item.box, t("state.saved", {time: clock(new Date(item.result.received_at))}), "saved");
  }

  // ---------------------------------------------------------------- drafts: nothing typed is lost

  function draftName(item) {
    return "item-" + item.data.id;
  }

  function keepDraft(item) {
    var card = item.card;
    F.local.keepDraft(draftName(item), {value: item.chosen, severity: severityOf(card),
                                        description: $(".f-description", card).value,
                                        note: $(".f-note", card).value});
  }

  function restoreDraft(item) {
    var kept = F.local.draft(draftName(item)), card = item.card;
    if (!kept) return;
    item.chosen = kept.value || item.chosen;
    $(".f-note", card).value = kept.note || "";
    $(".f-description", card).value = kept.description || "";
    checkRadio(card, kept.severity || "");
    if (!unchanged(item, resultPayload(item))) note(item.box, t("state.draft"), "unsaved");
  }

  function checkRadio(scope, value) {
    scope.querySelectorAll(".severity-choice input").forEach(function (r) { r.checked = r.value === value; });
  }

  function renderItem(item) {
    var card = item.card, open = F.inspection.writable();
    card.querySelectorAll(".verdict").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-value") === item.chosen));
      b.disabled = !open || item.busy;
    });
    $(".save-finding", card).disabled = !open || item.busy;
    $(".save-finding", card).hidden = item.chosen !== NC;
    $(".local-mark", card).hidden = !(item.result && item.result.local);
    $(".finding-panel", card).hidden = item.chosen !== NC;
    card.setAttribute("data-value", item.chosen || "");
    var saved = item.result ? item.result.value : "";
    var local = item.result && item.result.local;
    item.chip.className = "chip item-chip" + (saved ? " is-" + saved : "") + (local ? " is-local" : "") +
      (item.sub && item.sub.state === "error" ? " is-error" : "");
    item.chip.setAttribute("aria-label", item.data.code + (saved ? " — " + t("value." + saved) : "") +
      (local ? " (" + t("local") + ")" : ""));
  }

  function renderProgress() {
    var done = S.items.filter(function (i) { return i.result; }).length, total = S.items.length;
    $("#progress-text").textContent = t("progress", {done: done, total: total});
    $("#progress-bar").max = total || 1;
    $("#progress-bar").value = done;
    $("#close-help").textContent = done < total ? t("close.unmarked", {n: total - done}) : t("close.ready", {total: total});
  }

  function firstOpenItem() {
    var open = S.items.filter(function (i) { return !i.result; })[0];
    return open ? open.index : 0;
  }

  function go(index, scroll) {
    if (!S.items.length) return;
    S.index = Math.max(0, Math.min(S.items.length - 1, index));
    S.items.forEach(function (item) {
      var current = item.index === S.index;
      item.card.classList.toggle("current", current);
      if (current) item.chip.setAttribute("aria-current", "step");
      else item.chip.removeAttribute("aria-current");
    });
    document.querySelectorAll(".area-section").forEach(function (s) {
      s.classList.toggle("has-current", s === S.items[S.index].section);
    });
    $("#pager-position").textContent = t("position", {n: S.index + 1, total: S.items.length});
    $("#prev-btn").disabled = S.index === 0;
    $("#next-btn").disabled = S.index === S.items.length - 1;
    if (!scroll) return;
    var oneAtATime = $("#checklist").classList.contains("one-at-a-time");
    (oneAtATime ? $("#work") : S.items[S.index].card).scrollIntoView({block: "start"});
  }

  function setView(view) {
    $("#checklist").classList.toggle("one-at-a-time", view === "one");
    $("#pager").hidden = view !== "one";
    document.querySelectorAll(".view-toggle [data-view]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-view") === view));
    });
  }

  // ---------------------------------------------------------------- marking an item

  function choose(item, value) {
    if (item.busy || !F.inspection.writable()) return;  // a double tap while the first is on its way
    item.chosen = value;
    renderItem(item);
    keepDraft(item);
    if (value === NC) {
      if (!item.result || item.result.value !== NC) note(item.box, t("state.unsaved"), "unsaved");
      $(".f-description", item.card).focus();
      return;
    }
    submitResult(item);
  }

  function noteChanged(item) {
    if (item.chosen && item.chosen !== NC && item.result) submitResult(item);
  }

  function saveFinding(item) {
    var card = item.card, description = $(".f-description", card).value.trim();
    if (!severityOf(card)) return note(item.box, t("need.severity"), "invalid");
    if (!description) {
      $(".f-description", card).focus();
      return note(item.box, t("need.description"), "invalid");
    }
    submitResult(item);
  }

  function severityOf(scope) {
    var checked = scope.querySelector(".severity-choice input:checked");
    return checked ? checked.value : "";
  }

  function resultPayload(item) {
    var card = item.card, payload = {item_id: item.data.id, value: item.chosen,
                                     note: $(".f-note", card).value.trim(),
                                     version: item.result ? item.result.version : null};
    if (item.chosen === NC) {
      payload.severity = severityOf(card);
      payload.description = $(".f-description", card).value.trim();
    }
    return payload;
  }

  function unchanged(item, content) {
    var r = item.result, f = item.finding;
    if (!r || r.value !== content.value || r.note !== content.note) return false;
    return content.value !== NC || (f && f.description === content.description && f.severity === content.severity);
  }

  function submitResult(item) {
    var content = resultPayload(item);
    var last = item.sub;
    if (last && last.state === "error" && samePayload(last.content, content)) return send(last);  // same UUID
    F.local.dropDraft(draftName(item));  // from here on it is in the outbox: on the device until sent
    if (unchanged(item, content)) return renderItem(item);
    var payload = Object.assign({client_uuid: F.net.uuid4(), device_time: F.net.deviceTime()}, content);
    item.sub = new Submission("result", api("/inspections/" + S.id + "/results"), payload, item.box, {
      busy: function (on) { item.busy = on; renderItem(item); },
      saved: function (body) { resultSaved(item, body); },
      conflict: function (current) { showConflict(item, current); }
    });
    item.sub.content = content;
    send(item.sub);
  }

  function resultSaved(item, body) {
    if (body.result) item.result = body.result;  // a 202 (correction) leaves the minutes' value
    renderItem(item);
    renderProgress();
    if (body.result && body.result.local) localFinding(item, body.finding);  // on the device only
    if (item.chosen === NC || item.finding) F.inspection.refresh();
  }

  // A non-compliant result stored on the device: its finding (same UUID) takes its photos now.
  function localFinding(item, finding) {
    if (!finding || item.finding) return;
    item.finding = finding;
    F.inspection.uploadAll(item, finding);
  }

  function showConflict(item, current) {
    var box = make("div", "conflict");
    var text = t("conflict.current") + " " + t("value." + current.value) +
      (current.note ? " — " + t("conflict.note") + " " + current.note : "");
    box.appendChild(make("p", "", text));
    var actions = make("div", "actions");
    actions.appendChild(conflictButton(t("action.reapply"), "btn-primary", function () {
      item.result = Object.assign({}, item.result || {}, current);
      submitResult(item);
    }));
    actions.appendChild(conflictButton(t("action.keep"), "", function () {
      item.result = Object.assign({}, item.result || {}, current);
      item.chosen = current.value;
      $(".f-note", item.card).value = current.note || "";
      note(item.box, t("state.saved", {time: clock()}), "saved");
      renderItem(item);
      F.inspection.refresh();
    }));
    box.appendChild(actions);
    item.box.appendChild(box);
  }

  function conflictButton(label, extra, action) {
    var button = make("button", "btn " + extra, label);
    button.type = "button";
    button.addEventListener("click", action);
    return button;
  }

  F.checklist = {Item: Item, findingOf: findingOf, renderChecklist: renderChecklist, renderItem: renderItem,
                 renderProgress: renderProgress, firstOpenItem: firstOpenItem, go: go, setView: setView,
                 checkRadio: checkRadio, severityOf: severityOf, showSaved: showSaved};
})();
