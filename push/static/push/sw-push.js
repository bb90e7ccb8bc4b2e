/* Breaking-news push in the reader site's service worker: /sw.js imports this file
   (setting HOITU_SERVICE_WORKER_IMPORTS). The payload, decrypted by the browser, is the
   JSON of push/services.py:payload(): title, body, tag, url (our counted redirect to the
   story), receipt (where to say the alert arrived). Only this site's addresses are used. */
(function () {
  "use strict";
  function sameOrigin(url) {
    try {
      var parsed = new URL(url, self.location.origin);
      return parsed.origin === self.location.origin ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  self.addEventListener("push", function (event) {
    var data = {};
    if (event.data) {
      try { data = event.data.json(); } catch (e) { data = {body: event.data.text()}; }
    }
    var title = data.title || "Tin nóng";
    var options = {
      body: data.body || "",
      tag: data.tag || "tin-nong",
      lang: "vi",
      data: {url: sameOrigin(data.url || "/") || "/"}
    };
    var receipt = data.receipt && sameOrigin(data.receipt);
    var work = [self.registration.showNotification(title, options)];
    if (receipt) {
      work.push(fetch(receipt, {method: "POST", credentials: "omit", keepalive: true}).catch(function () {}));
    }
    event.waitUntil(Promise.all(work));
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    var url = (event.notification.data && sameOrigin(event.notification.data.url)) || "/";
    event.waitUntil(
      self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
        for (var i = 0; i < windows.length; i++) {
          if (windows[i].url === url && "focus" in windows[i]) return windows[i].focus();
        }
        return self.clients.openWindow(url);
      })
    );
  });
})();
