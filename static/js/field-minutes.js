// Signing the minutes on the tablet: the team lead and the inspected unit's representative each draw
// their signature on a canvas (finger or stylus, pointer events). Each signature is sent with the
// content hash of the minutes as this tablet shows them (computed exactly as the server's
// inspection/inspections/minutes.py content_hash), so the server refuses it on other minutes or on
// content that changed. It goes through CCHCField.net.submit like every write: with no signal it
// waits in the outbox (kind "sign") and syncs later. With both signatures the minutes are final.
(function () {
  "use strict";

  var F = window.CCHCField, U = F.ui, S = F.state;
  var t = U.t, $ = U.$, note = U.note, api = U.api, Submission = U.Submission, send = U.send;
  var ROLES = ["lead", "unit"], SIGNABLE = ["minutes_closed", "conclusion_drafted"];
  var pads = {};

  // ---------------------------------------------------------------- the content hash

  // The server's text normalisation (inspection/language/text.py nfc): NFC, control characters but \n and \t
  // removed, stripped.
  function clean(value) {
    return String(value || "").normalize("NFC").replace(/\p{C}/gu, function (c) {
      return c === "\n" || c === "\t" ? c : "";
    }).trim();
  }

  function byFirst(a, b) {
    return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
  }

  function content() {
    var d = S.data, m = d.minutes || {};
    var results = d.results.map(function (r) { return [r.item_id, r.value, clean(r.note)]; }).sort(byFirst);
    var findings = d.findings.map(function (f) {
      return [f.client_uuid, f.item_id || null, f.severity, clean(f.description)];
    }).sort(byFirst);
    return ["cchc-minutes/1", S.id, results, findings].concat(
      ["representative_name", "representative_title", "began", "ended", "other_representatives", "strengths",
       "team_recommendations", "unit_comments"].map(function (name) { return clean(m[name]); }));
  }

  function contentHash() {
    var bytes = new TextEncoder().encode(JSON.stringify(content()));
    return window.crypto.subtle.digest("SHA-256", bytes).then(function (hash) {
      return Array.prototype.map.call(new Uint8Array(hash), function (b) {
        return (b + 0x100).toString(16).slice(1);
      }).join("");
    });
  }

  // ---------------------------------------------------------------- a signature pad

  function Pad(root, role) {
    this.root = root;
    this.role = role;
    this.canvas = $(".sign-canvas", root);
    this.strokes = 0;
    this.sub = null;
    var pad = this, pen = this.canvas.getContext("2d"), drawing = false;
    pen.lineWidth = 4;
    pen.lineCap = pen.lineJoin = "round";
    pen.strokeStyle = "#0b1f66";
    this.canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      drawing = true;
      pad.canvas.setPointerCapture(e.pointerId);
      var p = pad.at(e);
      pen.beginPath();
      pen.moveTo(p.x, p.y);
    });
    this.canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = pad.at(e);
      pen.lineTo(p.x, p.y);
      pen.stroke();
      pad.strokes += 1;
      note($(".sign-state", root), "", "unsaved");
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      pad.canvas.addEventListener(name, function () { drawing = false; });
    });
    $(".sign-clear", root).addEventListener("click", function () { pad.clear(); });
    $(".sign-save", root).addEventListener("click", function () { save(pad); });
  }

  Pad.prototype.at = function (e) {
    var box = this.canvas.getBoundingClientRect();
    return {x: (e.clientX - box.left) * this.canvas.width / box.width,
            y: (e.clientY - box.top) * this.canvas.height / box.height};
  };

  Pad.prototype.clear = function () {
    this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.strokes = 0;
  };

  // ---------------------------------------------------------------- saving a signature

  function device() {
    var ua = navigator.userAgent || "";
    var model = /\(([^)]*)\)/.exec(ua);
    return (model ? model[1] : ua).slice(0, 200);
  }

  function save(pad) {
    var box = $(".sign-state", pad.root);
    if (pad.strokes < 5) return note(box, t("sign.empty"), "invalid");
    var last = pad.sub;
    if (last && last.state === "error") return send(last);  // the same signature again (same UUID)
    contentHash().then(function (digest) {
      var payload = {role: pad.role, image: pad.canvas.toDataURL("image/png"), content_hash: digest,
                     client_uuid: F.net.uuid4(), device_time: F.net.deviceTime(), device: device()};
      pad.sub = new Submission("sign", api("/inspections/" + S.id + "/minutes-signatures"), payload, box, {
        busy: function (on) { $(".sign-save", pad.root).disabled = on; },
        saved: function (body) {
          keep(Object.assign({role: pad.role, image: payload.image}, body.signature || {local: true}));
        },
        refused: function () { pad.sub = null; }
      });
      send(pad.sub);
    });
  }

  function keep(signature) {
    var m = S.data.minutes = S.data.minutes || {};
    m.signatures = (m.signatures || []).filter(function (s) { return s.role !== signature.role; });
    m.signatures.push(signature);
    render();
  }

  // ---------------------------------------------------------------- on screen

  // The drawn PNG as a blob: URL (the page's CSP allows no data: images), made once per image.
  var urls = {};
  function shown(dataUrl) {
    if (!urls[dataUrl]) {
      var raw = atob(dataUrl.split(",")[1]), bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
      urls[dataUrl] = URL.createObjectURL(new Blob([bytes], {type: "image/png"}));
    }
    return urls[dataUrl];
  }

  function signatureOf(role) {
    return ((S.data.minutes || {}).signatures || []).filter(function (s) { return s.role === role; })[0];
  }

  function signerName(role) {
    if (role === "unit") return (S.data.minutes || {}).representative_name || "";
    var lead = S.data.team.filter(function (m) { return m.role === "lead"; })[0];
    return lead ? lead.name : "";
  }

  function render() {
    var box = $("#sign-box");
    if (!box || !S.data) return;
    var lead = S.data.team.some(function (m) { return m.user_id === S.userId && m.role === "lead"; });
    box.hidden = !(lead && SIGNABLE.indexOf(S.data.status) !== -1 && S.data.minutes &&
                   S.data.minutes.representative_name);
    if (box.hidden) return;
    ROLES.forEach(function (role) {
      var pad = pads[role] = pads[role] || new Pad($(".signer-pad[data-role=" + role + "]", box), role);
      var signed = signatureOf(role);
      $(".signer-name", pad.root).textContent = signerName(role);
      pad.canvas.hidden = $(".sign-clear", pad.root).hidden = $(".sign-save", pad.root).hidden = Boolean(signed);
      var image = $(".signed-image", pad.root);
      image.hidden = !(signed && signed.image);
      if (signed && signed.image) image.src = shown(signed.image);
      $(".signed-note", pad.root).hidden = !signed;
      if (signed) {
        $(".signed-note", pad.root).textContent = signed.local ? t("sign.local")
          : t("sign.done", {time: (signed.signed_at || "").slice(11, 16)});
      }
    });
    var both = ROLES.every(signatureOf), synced = both && ROLES.every(function (r) { return !signatureOf(r).local; });
    var final = $("#minutes-final");
    final.hidden = !both;
    final.textContent = synced ? t("sign.final") : t("sign.final_local");
  }

  F.minutes = {render: render, contentHash: contentHash};
})();
