/* "Gợi ý AI" panel of the story editor (Wagtail edit and create views of a StoryPage).
 * Sends the draft as typed (headline, standfirst, body) to /admin/goi-y-ai/goi-y/, shows
 * each suggestion labelled "Gợi ý AI" with "Chấp nhận"/"Bỏ qua", changes the form when one
 * is accepted, and logs every decision at /admin/goi-y-ai/quyet-dinh/. No inline script or
 * style; nothing leaves the site. */
(function () {
  "use strict";

  var script = document.currentScript;
  var SUGGEST_URL = script && script.dataset.suggestUrl;
  var DECIDE_URL = script && script.dataset.decideUrl;

  function where() {
    var path = window.location.pathname;
    var edit = path.match(/\/pages\/(\d+)\/edit\/?$/);
    if (edit) return { page_id: Number(edit[1]) };
    var add = path.match(/\/pages\/add\/newsroom\/storypage\/(\d+)\/?$/);
    if (add) return { parent_id: Number(add[1]) };
    return null;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data),
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) throw new Error(json.error || "Lỗi " + response.status);
        return json;
      });
    });
  }

  function bodyEditors() {
    var body = document.querySelector('[data-contentpath="body"]');
    return body ? Array.prototype.slice.call(body.querySelectorAll('[contenteditable="true"]')) : [];
  }

  function bodyText() {
    var body = document.querySelector('[data-contentpath="body"]');
    if (!body) return "";
    var parts = bodyEditors().map(function (editor) { return editor.innerText; });
    body.querySelectorAll("textarea, input[type=text]").forEach(function (field) {
      if (field.value) parts.push(field.value);
    });
    return parts.join("\n\n");
  }

  function field(name) {
    return document.getElementById("id_" + name);
  }

  function draft(location) {
    var data = {
      title: field("title") ? field("title").value : "",
      standfirst: field("standfirst") ? field("standfirst").value : "",
      body: bodyText(),
    };
    Object.keys(location).forEach(function (key) { data[key] = location[key]; });
    return data;
  }

  function changed(input) {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function wholeWord(text) {
    return new RegExp("(^|[^\\p{L}\\p{N}])" + escapeRegExp(text) + "(?![\\p{L}\\p{N}])", "gu");
  }

  // Replaces `original` by `value` in a plain field, or in the body's rich-text editors
  // through the browser's editing command (Draftail/Draft.js keeps its own state and
  // takes the change as if typed).
  function replaceInPlace(name, original, value) {
    if (name !== "body") {
      var input = field(name);
      if (!input) return false;
      var replaced = input.value.replace(wholeWord(original), function (_m, before) { return before + value; });
      if (replaced === input.value) return false;
      input.value = replaced;
      changed(input);
      return true;
    }
    var done = false;
    bodyEditors().forEach(function (editor) {
      for (var guard = 0; guard < 50; guard += 1) {
        var walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
        var node, match = null;
        while ((node = walker.nextNode())) {
          var pattern = wholeWord(original);
          match = pattern.exec(node.nodeValue);
          if (match) break;
        }
        if (!match) break;
        var start = match.index + match[1].length;
        editor.focus();
        var range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + original.length);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        if (!document.execCommand("insertText", false, value)) break;
        done = true;
      }
    });
    return done;
  }

  function addTag(name) {
    var input = field("tags");
    if (!input) return false;
    if (window.jQuery && window.jQuery(input).data("uiTagit")) {
      window.jQuery(input).tagit("createTag", name);
    } else {
      input.value = input.value ? input.value + ", " + name : name;
      changed(input);
    }
    return true;
  }

  // A Wagtail chooser (the commune, a "Xem thêm" story): a hidden input and the chosen
  // title shown beside it (the chooser reads its state back from both).
  function setChooser(name, id, title) {
    var input = field(name);
    if (!input) return false;
    input.value = String(id);
    var chooser = document.getElementById("id_" + name + "-chooser");
    if (chooser) {
      chooser.classList.remove("blank");
      var shown = chooser.querySelector("[data-chooser-title]");
      if (shown) shown.textContent = title;
      var edit = chooser.querySelector("[data-chooser-edit-link]");
      if (edit) edit.hidden = true;
    }
    changed(input);
    return true;
  }

  function setPlace(id, name) {
    return setChooser("place", id, name);
  }

  // "Xem thêm" is an inline panel of story choosers (related_links-N-target): the story
  // goes into a new row at the end unless it is already listed; at most the panel's
  // own maximum (the add button is disabled when full).
  var RELATED = "related_links";

  function relatedRows() {
    var rows = document.querySelectorAll("input[id^='id_" + RELATED + "-'][id$='-target']");
    return Array.prototype.filter.call(rows, function (input) {
      var deleted = field(input.name.replace(/-target$/, "-DELETE"));
      return !(deleted && deleted.value === "1");
    });
  }

  function addRelated(id, headline) {
    var add = document.getElementById("id_" + RELATED + "-ADD");
    var total = field(RELATED + "-TOTAL_FORMS");
    if (!add || !total) return false;
    var rows = relatedRows();
    if (rows.some(function (input) { return input.value === String(id); })) return true;
    var empty = rows.filter(function (input) { return !input.value; })[0];
    if (empty) return setChooser(empty.name, id, headline);
    if (add.disabled) return "Mục Xem thêm đã đủ số bài; hãy xóa bớt một bài trước khi thêm.";
    add.click();
    return setChooser(RELATED + "-" + (Number(total.value) - 1) + "-target", id, headline);
  }

  function setStandfirst(text) {
    var input = field("standfirst");
    if (!input) return false;
    input.value = text;
    changed(input);
    return true;
  }

  function Panel(location) {
    this.location = location;
    this.root = el("section", { className: "assist-panel", "aria-labelledby": "assist-heading" });
    this.status = el("p", { className: "assist-status", role: "status", "aria-live": "polite" });
    this.results = el("div", { className: "assist-results" });
    var button = el("button", { type: "button", className: "button button-secondary assist-run", text: "Lấy gợi ý AI" });
    button.addEventListener("click", this.run.bind(this));
    this.root.appendChild(el("h2", { id: "assist-heading", className: "assist-heading", text: "Gợi ý AI" }));
    this.root.appendChild(el("p", {
      className: "help",
      text: "Máy gợi ý từ nội dung bạn đang gõ (chủ đề, chuyên mục, địa bàn, sapo, tiêu đề, chính tả, bài liên quan). Bạn quyết định chấp nhận hay bỏ qua từng gợi ý; mỗi quyết định được ghi lại.",
    }));
    this.root.appendChild(button);
    this.root.appendChild(this.status);
    this.root.appendChild(this.results);
  }

  Panel.prototype.run = function () {
    var self = this;
    self.status.textContent = "Đang phân tích bài…";
    post(SUGGEST_URL, draft(self.location))
      .then(function (data) { self.render(data); self.status.textContent = "Đã có gợi ý."; })
      .catch(function (error) { self.status.textContent = error.message; });
  };

  Panel.prototype.decide = function (item, kind, value, accepted, original, apply) {
    var self = this;
    var applied = accepted && apply ? apply() : true;
    if (applied === false || typeof applied === "string") {
      // A string says why (e.g. "Xem thêm" is full); nothing is logged as accepted.
      self.status.textContent = typeof applied === "string" ? applied
        : "Không áp dụng được gợi ý này vào bài (nội dung đã thay đổi?).";
      return;
    }
    var data = { kind: kind, value: value, accepted: accepted, original: original || "" };
    Object.keys(self.location).forEach(function (key) { data[key] = self.location[key]; });
    item.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    post(DECIDE_URL, data)
      .then(function () {
        item.classList.add(accepted ? "assist-accepted" : "assist-rejected");
        item.appendChild(el("span", { className: "assist-verdict", text: accepted ? "Đã chấp nhận" : "Đã bỏ qua" }));
      })
      .catch(function (error) { self.status.textContent = error.message; });
  };

  Panel.prototype.item = function (list, kind, text, detail, options) {
    var self = this;
    options = options || {};
    var li = el("li", { className: "assist-item", "data-kind": kind }, [
      el("span", { className: "assist-badge", text: "Gợi ý AI" }),
      el("span", { className: "assist-value", text: text }),
      detail ? el("span", { className: "assist-detail", text: detail }) : null,
    ]);
    if (options.url) li.appendChild(el("a", { href: options.url, target: "_blank", rel: "noopener", text: "xem" }));
    var accept = el("button", { type: "button", className: "button button-small assist-accept", text: options.acceptLabel || "Chấp nhận" });
    var reject = el("button", { type: "button", className: "button button-small button-secondary assist-reject", text: "Bỏ qua" });
    accept.addEventListener("click", function () {
      self.decide(li, kind, options.value || text, true, options.original, options.apply);
    });
    reject.addEventListener("click", function () {
      self.decide(li, kind, options.value || text, false, options.original);
    });
    li.appendChild(accept);
    li.appendChild(reject);
    list.appendChild(li);
  };

  Panel.prototype.group = function (title, key) {
    var list = el("ul", { className: "assist-list" });
    this.results.appendChild(el("div", { className: "assist-group", "data-group": key }, [
      el("h3", { text: title }), list,
    ]));
    return list;
  };

  Panel.prototype.render = function (data) {
    var self = this;
    self.results.textContent = "";
    var list;
    if (data.spelling.length) {
      list = self.group("Chính tả và dấu thanh", "spelling");
      data.spelling.forEach(function (s) {
        var where = { title: "tiêu đề", standfirst: "sapo", body: "nội dung" }[s.field];
        self.item(list, "spelling", "“" + s.original + "” → “" + s.value + "”",
          s.reason + " (" + where + (s.count > 1 ? ", " + s.count + " chỗ" : "") + ")", {
            value: s.value, original: s.original, acceptLabel: "Sửa",
            apply: function () { return replaceInPlace(s.field, s.original, s.value); },
          });
      });
    }
    if (data.tags.length) {
      list = self.group("Chủ đề", "tags");
      data.tags.forEach(function (t) {
        self.item(list, "tag", t.value, t.reason, {
          acceptLabel: "Thêm", apply: function () { return addTag(t.value); },
        });
      });
    }
    if (data.sections.length) {
      list = self.group("Chuyên mục", "sections");
      var best = data.sections[0];
      var current = best.id === data.current_section;
      self.item(list, "section", best.value,
        current ? "đúng chuyên mục bài đang nằm" : "bài đang ở chuyên mục khác: sau khi lưu, dùng “Di chuyển” để chuyển bài", {});
    }
    if (data.places.length) {
      list = self.group("Địa bàn (xã/phường)", "places");
      data.places.forEach(function (p) {
        self.item(list, "place", p.value, p.reason, {
          acceptLabel: "Chọn", apply: function () { return setPlace(p.id, p.value); },
        });
      });
    }
    if (data.standfirst.length) {
      list = self.group("Sapo", "standfirst");
      data.standfirst.forEach(function (s) {
        self.item(list, "standfirst", s.value, s.reason, {
          acceptLabel: "Dùng sapo này", apply: function () { return setStandfirst(s.value); },
        });
      });
    }
    if (data.headline.length) {
      list = self.group("Tiêu đề", "headline");
      data.headline.forEach(function (h) {
        self.item(list, "headline", h.value, "", { url: h.url, acceptLabel: "Đã xem, sẽ sửa" });
      });
    }
    if (data.related.length) {
      list = self.group("Bài liên quan (xem thêm)", "related");
      data.related.forEach(function (r) {
        self.item(list, "related", r.value, "đăng " + r.published_at, {
          url: r.url, value: r.value, acceptLabel: "Thêm vào Xem thêm",
          apply: function () { return addRelated(r.id, r.value); },
        });
      });
    }
    if (!self.results.childNodes.length) {
      self.results.appendChild(el("p", { text: "Chưa có gợi ý nào cho nội dung này." }));
    }
  };

  function start() {
    var location = where();
    if (!location || !field("standfirst") || !SUGGEST_URL) return;
    var panel = new Panel(location);
    var body = document.querySelector('[data-contentpath="body"]');
    var anchor = body && body.closest("section");
    if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(panel.root, anchor.nextSibling);
    else field("standfirst").closest("form").prepend(panel.root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
