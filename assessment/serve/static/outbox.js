/* The form's outbox: every change is kept in this browser until the server says it is saved.
 *
 * A change is the whole state of one question (its value, its n/a box, its note) with a sequence
 * number; it waits in localStorage under the draft's key, is sent one at a time in order, and is
 * retried with back-off while the server cannot be reached. The server applies a sequence number
 * once, so a retry never changes an answer twice. A redrawn page from the server never undoes a
 * tap: what is still waiting is put back on top of it. Photos go in requests of their own,
 * made smaller here first. Written for this project; no library.
 */
(function () {
  "use strict";
  /* Times are stored in UTC; each is shown in this device's own time. */
  document.querySelectorAll("time[data-local]").forEach(function (t) {
    var when = new Date(t.getAttribute("datetime"));
    if (!isNaN(when.getTime())) {
      t.textContent = when.toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
    }
  });
  var state = document.getElementById("save-state");
  if (!state) { return; }
  var text = state.dataset;
  var PREFIX = "dtm-outbox:";
  var FIELD = /^[axn]\.(.+)$/;
  var MAX_SIDE = 2000;
  var MAX_BYTES = 10 * 1024 * 1024;  // the server's limit for one file
  var csrf = document.body.dataset.csrf || "";
  var uploads = [], preparing = 0;
  var busy = false, offline = false, down = false, signIn = false, wait = 0, timer = null, progress = null;
  var leaving = false, finishing = null;

  function sheet() { return document.getElementById("sheet"); }
  function draftKey() { var s = sheet(); return s ? PREFIX + s.dataset.draft : null; }

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function write(key, list) {
    if (list.length) { localStorage.setItem(key, JSON.stringify(list)); } else { localStorage.removeItem(key); }
  }
  function keys() {
    var found = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0) { found.push(k); }
    }
    var own = draftKey();
    if (own && found.indexOf(own) > 0) { found.splice(found.indexOf(own), 1); found.unshift(own); }
    return found;
  }
  function pending() {
    var n = uploads.length + preparing;
    keys().forEach(function (k) { n += read(k).length; });
    return n;
  }

  function show() {
    var n = pending();
    var name = signIn ? "signin" : offline ? "offline" : down ? "down" : n ? "pending" : "saved";
    var line = text[name].replace("{n}", String(n));
    if ((offline || down) && n) { line += " · " + text.pending.replace("{n}", String(n)); }
    if (progress !== null) { line += " · " + text.uploading.replace("{p}", String(progress)); }
    state.dataset.state = name;
    state.dataset.count = String(n);
    state.textContent = line;
    state.hidden = !sheet() && !n;
    if (finishing && !n) { var form = finishing; finishing = null; leaving = true; form.submit(); }
  }

  function nextSeq() {
    var last = Number(localStorage.getItem("dtm-seq") || "0");
    var seq = Math.max(Date.now(), last + 1);
    localStorage.setItem("dtm-seq", String(seq));
    return seq;
  }

  /* The question's whole state as the form would post it. */
  function capture(qid) {
    var box = document.getElementById("q-" + qid);
    var fields = [["shown", qid]];
    if (!box) { return fields; }
    box.querySelectorAll("input, textarea").forEach(function (el) {
      var m = FIELD.exec(el.name || "");
      if (!m || m[1] !== qid) { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      fields.push([el.name, el.value]);
    });
    return fields;
  }

  /* Offline, a follow-up whose condition reads this answer may now apply: show it, marked. */
  function undecided(qid) {
    if (!offline && navigator.onLine) { return; }
    document.querySelectorAll("#sheet fieldset.skipped[data-depends]").forEach(function (box) {
      if (box.dataset.depends.split(" ").indexOf(qid) < 0) { return; }
      box.hidden = false;
      box.disabled = false;
      box.classList.add("undecided");
    });
  }

  /* The previous and next pages, kept for moving on while the server cannot be reached. */
  function prefetch() {
    document.querySelectorAll("#sheet #next, #sheet #prev").forEach(function (link) {
      var href = link.getAttribute("href");
      if (!/^\/drafts\/[^/]+\/\d+$/.test(href)) { return; }
      fetch(href, { credentials: "same-origin", headers: { "X-Dtm-Outbox": "1" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) { sessionStorage.setItem("dtm-page:" + href, html); } }, function () {});
    });
  }

  function enqueue(qid, extra) {
    var s = sheet(), key = draftKey();
    if (!s || !key) { return; }
    var list = read(key);
    var carried = [];
    list = list.filter(function (c, i) {
      if (c.q !== qid || (i === 0 && busy)) { return true; }
      carried = carried.concat(c.extra);
      return false;
    });
    var change = { q: qid, url: s.getAttribute("action"), extra: carried.concat(extra || []) };
    change.fields = capture(qid).concat(change.extra, [["seq." + qid, String(nextSeq())]]);
    list.push(change);
    write(key, list);
    undecided(qid);
    show();
    pump();
  }

  /* Put every waiting change back on the page, over what the server drew. */
  function reapply() {
    var list = read(draftKey() || "");
    list.forEach(function (c) {
      var box = document.getElementById("q-" + c.q);
      if (!box) { return; }
      box.querySelectorAll("input, textarea").forEach(function (el) {
        var m = FIELD.exec(el.name || "");
        if (!m || m[1] !== c.q) { return; }
        var given = c.fields.filter(function (f) { return f[0] === el.name; });
        if (el.type === "checkbox" || el.type === "radio") {
          el.checked = given.some(function (f) { return f[1] === el.value; });
        } else {
          el.value = given.length ? given[given.length - 1][1] : "";
        }
      });
    });
  }

  function redraw(html, moving) {
    var s = sheet();
    if (!s) { return; }
    var active = document.activeElement;
    var typing = !moving && active && s.contains(active) && (active.tagName === "TEXTAREA" || active.type === "text") ? active : null;
    var open = [];
    s.querySelectorAll("details[open]").forEach(function (d) { var f = d.closest("fieldset"); if (f) { open.push(f.id); } });
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.querySelector("#sheet");
    if (!fresh) { return; }
    s.replaceWith(fresh);
    if (moving) { open = []; }
    open.forEach(function (id) { var d = document.querySelector("#" + id + " details"); if (d) { d.open = true; } });
    reapply();
    if (typing) {
      var again = fresh.querySelector("[name='" + typing.name + "']");
      if (again) { again.value = typing.value; again.focus(); }
    }
  }

  function flash(message) {
    var box = document.getElementById("flash");
    if (!box) { return; }
    box.textContent = "";
    if (message) { var p = document.createElement("p"); p.className = "error"; p.textContent = message; box.appendChild(p); }
  }

  function renew() {
    return fetch("/session/csrf", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        csrf = data.csrf;
        document.body.dataset.csrf = csrf;
        document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRF-Token": csrf }));
        document.querySelectorAll("input[name='csrf']").forEach(function (el) { el.value = csrf; });
      });
  }

  function later() {
    wait = Math.min(wait ? wait * 2 : 500, 8000);
    timer = setTimeout(function () { timer = null; pump(); }, wait);
  }

  function done(html) {
    busy = false; offline = false; down = false; signIn = false; wait = 0;
    if (html !== null) { redraw(html); }
    show();
    document.dispatchEvent(new CustomEvent("dtm:saved"));
    pump();
  }

  /* What to do with a reply that did not save: 403 renews the token, 401 asks to sign in,
     503 says the server cannot save just now. */
  function failed(status, renewed) {
    busy = false;
    if (status === 403 && !renewed) {
      renew().then(function () { pump(true); }, function () { offline = true; show(); later(); });
      return;
    }
    offline = status === 0;
    /* The server answered but cannot save (its database is down, or a proxy has no server):
       the change stays here and is sent again with back-off. */
    down = status === 503 || status === 502 || status === 504;
    signIn = status === 401;
    show();
    later();
  }

  function post(url, body, renewed, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("X-Dtm-Outbox", "1");
      if (onProgress) { xhr.upload.onprogress = onProgress; }
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = xhr.ontimeout = function () { resolve(null); };
      xhr.send(body);
    });
  }

  function sendChange(key, change, renewed) {
    var body = new FormData();
    body.append("csrf", csrf);
    change.fields.forEach(function (f) { body.append(f[0], f[1]); });
    post(change.url, body, renewed).then(function (xhr) {
      if (xhr && xhr.status === 200 && xhr.getResponseHeader("X-Dtm-Saved")) {
        var list = read(key);
        if (list.length && list[0].fields.join() === change.fields.join()) { list.shift(); }
        write(key, list);
        var s = sheet();
        done(s && s.getAttribute("action") === change.url ? xhr.responseText : null);
      } else {
        failed(xhr ? xhr.status : 0, renewed);
      }
    });
  }

  function sendUpload(item, renewed) {
    var body = new FormData();
    body.append("csrf", csrf);
    body.append("question", item.q);
    body.append("file", item.blob, item.name);
    post(item.url + "/evidence", body, renewed, function (e) {
      if (e.lengthComputable) { progress = Math.round(100 * e.loaded / e.total); show(); }
    }).then(function (xhr) {
      progress = null;
      if (xhr && xhr.status === 200 && xhr.getResponseHeader("X-Dtm-Saved")) {
        uploads.shift();
        flash("");
        var s = sheet();
        done(s && s.getAttribute("action") === item.url ? xhr.responseText : null);
      } else if (xhr && (xhr.status === 422 || xhr.status === 413)) {
        uploads.shift();
        var holder = document.createElement("div");
        holder.innerHTML = xhr.responseText;
        flash(holder.textContent.trim());
        done(null);
      } else {
        failed(xhr ? xhr.status : 0, renewed);
      }
    });
  }

  function pump(renewed) {
    if (busy || (timer && !renewed)) { return; }
    var key = keys().filter(function (k) { return read(k).length; })[0];
    if (key) {
      busy = true;
      sendChange(key, read(key)[0], renewed === true);
    } else if (uploads.length) {
      busy = true;
      sendUpload(uploads[0], renewed === true);
    }
  }

  function shrink(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (image) {
      var side = Math.max(image.width, image.height);
      if (side <= MAX_SIDE && file.size <= 2 * 1024 * 1024) { return file; }
      var scale = Math.min(1, MAX_SIDE / side);
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }, function () { return file; });
  }

  function attach(input, qid) {
    var file = input.files && input.files[0];
    var url = sheet().getAttribute("action");
    input.value = "";
    if (!file) { return; }
    var name = file.name.replace(/\.[^.]*$/, "") || "photo";
    preparing += 1;
    shrink(file).then(function (blob) {
      preparing -= 1;
      if (blob.size > MAX_BYTES) { flash(text.tooLarge); show(); return; }
      var jpeg = blob !== file;
      uploads.push({ q: qid, url: url, blob: blob, name: jpeg ? name + ".jpg" : file.name });
      show();
      pump();
    });
    show();
  }

  document.addEventListener("change", function (e) {
    var el = e.target, s = sheet();
    if (!s || !s.contains(el) || !el.name) { return; }
    if (el.type === "file") { attach(el, el.name.replace(/^f\./, "")); return; }
    var m = FIELD.exec(el.name);
    if (m) { enqueue(m[1]); }
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("#sheet button[type=submit]");
    if (!button) { return; }
    e.preventDefault();
    var qid = button.name === "confirm" ? button.value : button.value.split(" ")[0];
    enqueue(qid, [[button.name, button.value]]);
  });
  document.addEventListener("submit", function (e) {
    if (e.target.id === "sheet") {
      e.preventDefault();
      var m = FIELD.exec((document.activeElement || {}).name || "");
      if (m) { enqueue(m[1]); }
      return;
    }
    var finish = e.target.querySelector("#finish");
    if (!finish) { return; }
    finish.disabled = true;
    finish.textContent = text.finishing;
    finish.setAttribute("aria-busy", "true");
    if (pending()) {  // what waits is sent first; the sheet is finished once the server has it all
      e.preventDefault();
      finishing = e.target;
      pump();
    }
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href^='/']");
    if (!link) { return; }
    var href = link.getAttribute("href");
    var kept = sessionStorage.getItem("dtm-page:" + href);
    if ((offline || !navigator.onLine) && kept) {
      e.preventDefault();
      redraw(kept, true);
      history.pushState(null, "", href);
      window.scrollTo(0, 0);
      return;
    }
    leaving = true;
    setTimeout(function () { leaving = false; }, 1000);
  });
  window.addEventListener("beforeunload", function (e) {
    var active = document.activeElement, s = sheet();
    if (s && active && s.contains(active) && FIELD.test(active.name || "")) {
      enqueue(FIELD.exec(active.name)[1]);
    }
    // Changes of this draft outlive a move to its next page (they stay in localStorage); photos do not.
    if (uploads.length || preparing || (!leaving && pending())) { e.preventDefault(); e.returnValue = text.leave; return text.leave; }
  });
  window.addEventListener("popstate", function () { location.reload(); });
  window.addEventListener("online", function () { prefetch(); wait = 0; clearTimeout(timer); timer = null; pump(); });
  window.addEventListener("offline", function () { offline = true; show(); });

  reapply();
  show();
  pump();
  prefetch();
})();
