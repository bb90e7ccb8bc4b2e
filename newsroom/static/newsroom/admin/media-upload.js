/* Hội Tụ: uploads of radio/TV cuts with a progress bar, and the processing state of every
 * chosen cut in the editor (chờ xử lý / đang xử lý / sẵn sàng / lỗi + lý do), refreshed
 * without reloading from /admin/media-pipeline/trang-thai/.
 *
 * - wagtailmedia's chooser modal posts its upload with $.ajax and shows nothing while the
 *   file travels; the "chooser" step handler is wrapped so the upload form (marked
 *   data-hoitu-upload by our chooser template) is sent by XMLHttpRequest with progress.
 * - Pages with a plain upload form (the Media menu's "add" screen) get the same bar; the
 *   answer page replaces the current one.
 * - Chosen cuts: every chooser rendered by newsroom/admin/media_chooser_widget.html has a
 *   [data-hoitu-media-status] slot; its hidden input holds the cut's id.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var STATUS_URL = (script && script.dataset.statusUrl) || '/admin/media-pipeline/trang-thai/';
  var POLL_MS = 2000;
  var FINAL = { ready: true, failed: true };

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return (bytes / 1024 / 1024 / 1024).toFixed(1).replace('.', ',') + ' GB';
    if (bytes >= 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1).replace('.', ',') + ' MB';
    return Math.max(1, Math.round(bytes / 1024)) + ' KB';
  }

  function fieldError(form, input, message) {
    var field = input && input.closest('[data-field]');
    var box = field && field.querySelector('[data-field-errors]');
    if (!box) {
      showFormError(form, message);
      return;
    }
    field.classList.add('w-field--error');
    input.setAttribute('aria-invalid', 'true');
    var old = box.querySelector('.hoitu-error');
    if (old) old.remove();
    var p = document.createElement('p');
    p.className = 'error-message hoitu-error';
    p.textContent = message;
    box.appendChild(p);
  }

  function showFormError(form, message) {
    var old = form.querySelector('.hoitu-upload-error');
    if (old) old.remove();
    var div = document.createElement('div');
    div.className = 'help-block help-critical hoitu-upload-error';
    div.setAttribute('role', 'alert');
    div.textContent = message;
    form.prepend(div);
  }

  function progressParts(form) {
    var box = form.querySelector('[data-hoitu-upload-progress]');
    if (!box) {
      box = document.createElement('div');
      box.className = 'hoitu-upload-progress';
      box.setAttribute('data-hoitu-upload-progress', '');
      box.innerHTML = '<progress max="100" value="0" aria-label="Tiến độ tải lên"></progress> ' +
        '<span data-hoitu-upload-progress-text></span>';
      var submit = form.querySelector('[type=submit]');
      (submit ? submit.parentNode : form).insertBefore(box, submit || null);
    }
    return { box: box, bar: box.querySelector('progress'), text: box.querySelector('[data-hoitu-upload-progress-text]') };
  }

  /* Checks what the browser can check, then sends the form with progress events.
   * onDone(xhr) gets the server's answer (status 200). Returns false if nothing was sent. */
  function sendWithProgress(form, onDone) {
    var fileInput = form.querySelector('input[type=file][name$="file"]');
    var titleInput = form.querySelector('input[name$="title"]');
    var ok = true;
    form.querySelectorAll('.hoitu-error, .hoitu-upload-error').forEach(function (el) { el.remove(); });
    if (titleInput && !titleInput.value.trim()) {
      fieldError(form, titleInput, 'Hãy nhập tiêu đề.');
      ok = false;
    }
    var file = fileInput && fileInput.files && fileInput.files[0];
    if (fileInput && !file && !form.dataset.fileOptional) {
      fieldError(form, fileInput, 'Hãy chọn tệp âm thanh / video để tải lên.');
      ok = false;
    }
    var max = parseInt(form.dataset.maxSize || '0', 10);
    if (file && max && file.size > max) {
      fieldError(form, fileInput, 'Tệp quá lớn (' + formatSize(file.size) + '); giới hạn là ' + formatSize(max) + '.');
      ok = false;
    }
    if (file && file.size === 0) {
      fieldError(form, fileInput, 'Tệp tải lên rỗng (0 byte).');
      ok = false;
    }
    if (!ok) return false;

    var parts = progressParts(form);
    var submit = form.querySelector('[type=submit]');
    parts.box.hidden = false;
    parts.bar.value = 0;
    parts.text.textContent = 'Đang tải lên… 0%';
    if (submit) submit.disabled = true;

    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.floor((e.loaded / e.total) * 100);
      parts.bar.value = pct;
      parts.text.textContent = 'Đang tải lên… ' + pct + '% (' + formatSize(e.loaded) + ' / ' + formatSize(e.total) + ')';
    });
    xhr.upload.addEventListener('load', function () {
      parts.bar.value = 100;
      parts.text.textContent = 'Đã tải lên 100%. Máy chủ đang kiểm tra tệp…';
    });
    function failed(message) {
      if (submit) submit.disabled = false;
      parts.box.hidden = true;
      showFormError(form, message);
    }
    xhr.addEventListener('load', function () {
      if (submit) submit.disabled = false;
      if (xhr.status === 200) {
        parts.box.classList.add('is-done');
        onDone(xhr);
      } else if (xhr.status === 413) {
        failed('Máy chủ từ chối tệp vì quá lớn. Hãy cắt ngắn hoặc nén lại rồi tải lên.');
      } else if (xhr.status === 403) {
        failed('Bạn không có quyền tải âm thanh / video lên thư mục này.');
      } else {
        failed('Tải lên không thành công (mã lỗi ' + xhr.status + '). Tệp chưa được lưu; hãy thử lại.');
      }
    });
    xhr.addEventListener('error', function () {
      failed('Mất kết nối khi đang tải lên. Tệp chưa được lưu; hãy kiểm tra mạng rồi thử lại.');
    });
    xhr.send(new FormData(form));
    return true;
  }

  /* --- wagtailmedia's chooser modal ------------------------------------------------- */

  function patchChooserModal() {
    var handlers = window.MEDIA_CHOOSER_MODAL_ONLOAD_HANDLERS;
    if (!handlers || handlers.hoituPatched) return;
    var original = handlers.chooser;
    handlers.chooser = function (modal, jsonData) {
      original(modal, jsonData);
      var body = modal.body && modal.body[0] ? modal.body[0] : modal.body;
      window.jQuery('form.media-upload', body).off('submit').on('submit', function (e) {
        e.preventDefault();
        sendWithProgress(this, function (xhr) { modal.loadResponseText(xhr.responseText); });
        return false;
      });
      // The server sent the form back with errors: show the tab that has them.
      var errorField = body.querySelector('.w-tabs__panel .error-message, .w-tabs__panel .help-critical');
      var panel = errorField && errorField.closest('.w-tabs__panel');
      if (panel) {
        var tab = body.querySelector('[href="#' + panel.id + '"]');
        if (tab) setTimeout(function () { tab.click(); }, 0);
      }
    };
    handlers.hoituPatched = true;
  }

  /* --- a plain upload page (Media menu → add) -------------------------------------- */

  function ajaxifyPageForms() {
    document.querySelectorAll('form[data-hoitu-upload-page]').forEach(function (form) {
      if (form.dataset.hoituReady) return;
      form.dataset.hoituReady = '1';
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        sendWithProgress(form, function (xhr) {
          // The answer is the page the server went on to (the list after a redirect, with
          // its "uploaded" message) or the form again with its errors: show it as it is.
          if (xhr.responseURL && xhr.responseURL !== window.location.href) {
            window.history.replaceState(null, '', xhr.responseURL);
          }
          document.open();
          document.write(xhr.responseText);
          document.close();
        });
      });
    });
  }

  /* --- processing state beside each chosen cut ------------------------------------- */

  var known = {}; // id -> last item from the server

  function slots() {
    var found = [];
    document.querySelectorAll('[data-hoitu-media-status]').forEach(function (slot) {
      var chooser = slot.closest('.chooser');
      if (!chooser || !chooser.id) return;
      var input = document.getElementById(chooser.id.replace(/-chooser$/, ''));
      var id = input && input.value ? parseInt(input.value, 10) : null;
      found.push({ slot: slot, chooser: chooser, id: id });
    });
    return found;
  }

  function render(slot, item) {
    if (!item) {
      slot.innerHTML = '';
      slot.removeAttribute('data-status');
      return;
    }
    var key = item.status + '|' + item.error;
    if (slot.dataset.key === key) return;
    slot.dataset.key = key;
    slot.dataset.status = item.status;
    slot.innerHTML = '';
    var badge = document.createElement('span');
    badge.className = 'hoitu-media-badge hoitu-media-badge--' + item.status;
    var label = { pending: 'Chờ xử lý', processing: 'Đang xử lý…', ready: 'Sẵn sàng', failed: 'Lỗi' }[item.status] || item.status_label;
    badge.textContent = label;
    slot.appendChild(badge);
    if (item.status === 'ready' && item.duration) {
      var d = Math.round(item.duration);
      var span = document.createElement('span');
      span.className = 'hoitu-media-duration';
      span.textContent = ' ' + Math.floor(d / 60) + ':' + String(d % 60).padStart(2, '0');
      slot.appendChild(span);
    }
    if (item.status === 'failed' && item.error) {
      var reason = document.createElement('span');
      reason.className = 'hoitu-media-reason';
      reason.textContent = ' ' + item.error + ' Tệp gốc vẫn được giữ; có thể thử xử lý lại ở trang sửa.';
      slot.appendChild(reason);
    }
  }

  function refresh() {
    var all = slots();
    var ask = [];
    all.forEach(function (s) {
      if (!s.id) {
        render(s.slot, null);
        return;
      }
      var item = known[s.id];
      if (item) render(s.slot, item);
      if ((!item || !FINAL[item.status]) && ask.indexOf(s.id) < 0) ask.push(s.id);
    });
    if (!ask.length) return;
    var query = ask.map(function (id) { return 'id=' + encodeURIComponent(id); }).join('&');
    fetch(STATUS_URL + '?' + query, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        (data.items || []).forEach(function (item) { known[item.id] = item; });
        slots().forEach(function (s) { if (s.id && known[s.id]) render(s.slot, known[s.id]); });
      })
      .catch(function () { /* offline for a moment: the next round asks again */ });
  }

  function start() {
    patchChooserModal();
    ajaxifyPageForms();
    refresh();
    setInterval(refresh, POLL_MS);
    // A chooser may open before this script ran its first round: patch at the click.
    document.addEventListener('click', function (e) {
      if (e.target.closest && e.target.closest('[data-chooser-action-choose], .action-choose')) patchChooserModal();
    }, true);
    // A cut just chosen: show its state at once, not at the next round.
    document.addEventListener('change', function (e) {
      if (e.target.closest && e.target.closest('.media-chooser')) setTimeout(refresh, 50);
    }, true);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
