/* "Nhận tin nóng": subscribes this browser to the outlet's breaking-news push (Push API,
   VAPID) and posts the subscription to /tin-nong/dang-ky/. Hidden where the browser has no
   Push API. No inline script (the reader site's CSP). */
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return; // stays hidden: nothing this browser could do with the button
  }
  var button = box.querySelector("[data-push-toggle]");
  var status = box.querySelector("[data-push-status]");
  box.hidden = false;

  function say(text) { status.textContent = text; }
  // Only our own messages reach the reader: the browser's are in English and technical.
  function fail(text) { var error = new Error(text); error.vi = text; return error; }
  function setOn(on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Tắt tin nóng" : "Nhận tin nóng";
  }
  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw fail(body.error || "Máy chủ trang báo chưa nhận được đăng ký. Vui lòng thử lại.");
        return body;
      });
    });
  }
  function registration() {
    return navigator.serviceWorker.register(box.dataset.sw).then(function () {
      return navigator.serviceWorker.ready;
    }, function () {
      throw fail("Trang báo chưa sẵn sàng gửi thông báo tới trình duyệt này. Vui lòng thử lại sau.");
    });
  }

  function subscribe() {
    say("Đang bật thông báo…");
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw fail("Bạn chưa cho phép trang báo gửi thông báo. Hãy bật quyền Thông báo cho trang này trong cài đặt trình duyệt rồi thử lại.");
      }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        if (existing) return existing;
        return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key)})
          .catch(function () {
            throw fail("Trình duyệt chưa kết nối được dịch vụ thông báo (có thể đang mất mạng). Vui lòng thử lại sau.");
          });
      });
    }).then(function (subscription) {
      return post(box.dataset.subscribe, subscription.toJSON());
    }).then(function (body) {
      setOn(true);
      say(body.message || "Đã bật nhận tin nóng.");
    });
  }

  function unsubscribe() {
    say("Đang tắt thông báo…");
    return navigator.serviceWorker.getRegistration(box.dataset.sw).then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (subscription) {
      if (!subscription) return {message: "Đã tắt nhận tin nóng trên trình duyệt này."};
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return post(box.dataset.unsubscribe, {endpoint: endpoint});
      });
    }).then(function (body) {
      setOn(false);
      say(body.message || "Đã tắt nhận tin nóng.");
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    var on = button.getAttribute("aria-pressed") === "true";
    (on ? unsubscribe() : subscribe()).catch(function (error) {
      say(error && error.vi ? error.vi : "Không bật được thông báo. Vui lòng thử lại.");
    }).then(function () { button.disabled = false; });
  });

  // Already subscribed on this browser: show it as on.
  if (Notification.permission === "granted") {
    navigator.serviceWorker.getRegistration(box.dataset.sw).then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    }).then(function (subscription) { if (subscription) setOn(true); }).catch(function () {});
  }
})();
