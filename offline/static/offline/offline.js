/* Hội Tụ offline reading (docs/offline.md): registers the service worker (/sw.js), the
   "Lưu để đọc sau" button of a story, the list of the offline page, a note while the
   connection is down, and a refresh when it returns. No framework: cheap phones. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.caches) return;
  var script = document.currentScript;
  var swUrl = (script && script.getAttribute("data-sw")) || "/sw.js";
  var root = document.documentElement;
  var META = "hoitu-meta";

  // A first visit is not served through the worker: it keeps the page once it runs.
  var controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register(swUrl, { scope: "/", updateViaCache: "none" }).then(
    function () {
      root.setAttribute("data-offline-worker", "registered");
      if (!controlled) {
        ask({ type: "keep", path: location.pathname + location.search }).then(function () {
          root.setAttribute("data-offline-worker", "ready");
        });
      } else {
        root.setAttribute("data-offline-worker", "ready");
      }
    },
    function () { root.setAttribute("data-offline-worker", "failed"); }
  );

  function ask(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) { resolve(event.data); };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  function record(path) {
    return caches.open(META)
      .then(function (cache) { return cache.match(location.origin + "/__hoitu__/meta" + path); })
      .then(function (response) { return response ? response.json() : null; });
  }

  function records() {
    return caches.open(META).then(function (cache) {
      return cache.keys().then(function (keys) {
        keys = keys.filter(function (key) {
          return new URL(key.url).pathname.indexOf("/__hoitu__/meta/") === 0;
        });
        return Promise.all(keys.map(function (key) {
          return cache.match(key).then(function (r) { return r.json(); });
        }));
      });
    });
  }

  // What the worker tells every page: a list kept, everything refreshed.
  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "kept") {
      var kept = (root.getAttribute("data-offline-kept") || "").split(" ").filter(Boolean);
      if (kept.indexOf(data.path) < 0) kept.push(data.path);
      root.setAttribute("data-offline-kept", kept.join(" "));
    } else if (data.type === "refreshed") {
      root.setAttribute("data-offline-refreshed", String(Date.now()));
      if (document.querySelector("[data-offline-list]")) showList();
    }
  });

  // --- The note while offline -------------------------------------------------------------
  var note = document.createElement("p");
  note.className = "note offline-note";
  note.setAttribute("role", "status");
  note.hidden = true;
  note.textContent = "Bạn đang đọc ngoại tuyến: nội dung đã lưu trên máy, có thể chưa mới nhất.";
  var main = document.querySelector("main");
  if (main) main.insertBefore(note, main.firstChild);
  function showState() { note.hidden = navigator.onLine; }
  window.addEventListener("offline", showState);
  // The link may say "online" before it carries anything: tried again a few times.
  function refresh(attempt) {
    ask({ type: "refresh" }).then(function (answer) {
      if (!(answer && answer.ok) && attempt < 5 && navigator.onLine) {
        setTimeout(function () { refresh(attempt + 1); }, 1500 * attempt);
      }
    });
  }
  window.addEventListener("online", function () {
    showState();
    refresh(1);
  });
  showState();

  // --- "Lưu để đọc sau" ----------------------------------------------------------------
  var box = document.querySelector("[data-offline-save]");
  if (box) {
    var button = box.querySelector("button");
    var status = box.querySelector("[data-offline-status]");
    var path = location.pathname;
    var saved = false;
    var show = function (isSaved, text) {
      saved = isSaved;
      button.textContent = isSaved ? "Bỏ lưu" : "Lưu để đọc sau";
      status.textContent = text || (isSaved ? "Đã lưu: đọc được cả khi không có mạng." : "");
      box.setAttribute("data-state", isSaved ? "saved" : "idle");
    };
    record(path).then(function (r) { show(Boolean(r && r.saved)); });
    box.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = saved ? "Đang bỏ lưu…" : "Đang lưu bài viết…";
      // Saved stories should outlive the browser's clean-ups when space runs short.
      if (!saved && navigator.storage && navigator.storage.persist) navigator.storage.persist();
      ask({ type: saved ? "unsave" : "save", path: path }).then(function (answer) {
        button.disabled = false;
        if (answer && answer.ok) {
          var r = answer.result || {};
          show(Boolean(r.saved), r.saved && r.audio && r.audio.length
            ? "Đã lưu bài và âm thanh: đọc, nghe được cả khi không có mạng." : null);
        } else {
          show(saved, "Không lưu được: " + ((answer && answer.error) || "hãy thử lại khi có mạng."));
          box.setAttribute("data-state", "error");
        }
      });
    });
  }

  // --- Logging out: the paid copies go first (the answer's Clear-Site-Data does the rest)
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action") || "";
    if (/\/dang-xuat\/$/.test(action)) ask({ type: "forget-private" });
  });

  // --- The offline page ----------------------------------------------------------------
  function item(r) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = r.url;
    a.textContent = r.title || r.url;
    li.appendChild(a);
    var meta = [r.section, r.store === "private" ? "Thu phí, chỉ trên máy này" : "",
      r.audio && r.audio.length ? "Có âm thanh" : ""].filter(Boolean).join(" · ");
    if (meta) {
      var p = document.createElement("span");
      p.className = "meta";
      p.textContent = " — " + meta;
      li.appendChild(p);
    }
    return li;
  }

  function fill(selector, list) {
    var ul = document.querySelector(selector);
    if (!ul) return;
    ul.textContent = "";
    list.forEach(function (r) { ul.appendChild(item(r)); });
    ul.closest("section").hidden = list.length === 0;
  }

  function showList() {
    records().then(function (all) {
      return Promise.all(all.map(function (r) {
        return caches.match(location.origin + r.url, { ignoreVary: true })
          .then(function (page) { return page ? r : null; });
      }));
    }).then(function (all) {
      all = all.filter(Boolean).sort(function (a, b) {
        return (b.published || "").localeCompare(a.published || "") || b.at - a.at;
      });
      var stories = all.filter(function (r) { return r.kind === "story"; });
      fill("[data-offline-saved]", stories.filter(function (r) { return r.saved; }));
      fill("[data-offline-pages]", all.filter(function (r) { return r.kind === "list"; }));
      fill("[data-offline-stories]", stories.filter(function (r) { return !r.saved; }));
      var empty = document.querySelector("[data-offline-empty]");
      if (empty) empty.hidden = all.length > 0;
      root.setAttribute("data-offline-listed", String(all.length));
    });
  }
  var list = document.querySelector("[data-offline-list]");
  if (list) {
    showList();
    // Served by the worker in place of a page it does not have.
    if (location.pathname !== script.getAttribute("data-offline-page")) {
      var missing = document.createElement("p");
      missing.className = "note";
      missing.setAttribute("data-offline-missing", "");
      missing.textContent = "Trang bạn mở chưa được lưu trên máy này. Đây là những gì đọc được khi không có mạng.";
      list.parentNode.insertBefore(missing, list);
    }
  }
})();
