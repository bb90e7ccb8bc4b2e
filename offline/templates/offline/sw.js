{% autoescape off %}/* Hội Tụ service worker, served at /sw.js (offline/views.py, docs/offline.md).
   Keeps the home page, the sections a reader opens and their latest stories, and the
   stories saved with "Lưu để đọc sau" (with their audio), readable without a connection.
   Pages come from the network first; the copy is used when the link is down or too slow.
   Only answers marked X-Hoitu-Offline: public|private are kept (offline/middleware.py);
   paid text ("private") goes to its own cache, emptied at log-out. */
"use strict";
const VERSION = "__HOITU_SW_VERSION__";
const CONFIG = {{ config }};
const IMPORTS = {{ imports }};
// Other apps' handlers (web push): HOITU_SERVICE_WORKER_IMPORTS.
if (IMPORTS.length) importScripts(...IMPORTS);

const SHELL = "hoitu-shell-" + VERSION;
const PAGES = "hoitu-pages";
const PRIVATE = "hoitu-private";
const IMAGES = "hoitu-images";
const MEDIA = "hoitu-media";
const META = "hoitu-meta";
const KEEP = [SHELL, PAGES, PRIVATE, IMAGES, MEDIA, META];
const META_PREFIX = "/__hoitu__/meta";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(CONFIG.shell)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("hoitu-") && !KEEP.includes(n)).map((n) => caches.delete(n))
        )
      )
      .then(() => self.clients.claim())
  );
});

// --- Requests ---------------------------------------------------------------------------

let wasOffline = false;

function neverKept(url) {
  return CONFIG.noCache.some((prefix) => url.pathname.startsWith(prefix));
}

function isImage(url) {
  return /^\/media\/(images|original_images)\//.test(url.pathname);
}

function isMediaFile(url) {
  return url.pathname.startsWith("/media/") || url.pathname.startsWith("/tep-media/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js") return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (neverKept(url)) {
    return;
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(event, request));
  } else if (isImage(url)) {
    event.respondWith(image(request, url));
  } else if (isMediaFile(url)) {
    event.respondWith(mediaFile(request));
  }
});

function pageKey(url) {
  return url.origin + url.pathname + url.search;
}

async function cachedPage(key) {
  return (await (await caches.open(PRIVATE)).match(key)) || (await caches.open(PAGES)).match(key);
}

async function offlinePage() {
  const page = await caches.match(CONFIG.offlinePage);
  return page || new Response("Không có kết nối mạng.", {
    status: 503,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

function navigate(event, url) {
  // The worker stays alive until the copy is stored (and a list's stories fetched).
  let settled;
  event.waitUntil(new Promise((resolve) => (settled = resolve)));
  const network = fetch(event.request).then(
    (response) => {
      if (wasOffline) {
        wasOffline = false;
        refreshSoon();
      }
      const copy = response.clone();
      (neverKept(url) ? Promise.resolve() : keepPage(url, copy)).catch(() => {}).then(settled);
      return response;
    },
    (error) => {
      wasOffline = true;
      settled();
      throw error;
    }
  );
  if (neverKept(url)) return network.catch(offlinePage);
  return cachedPage(pageKey(url)).then((cached) => {
    if (!cached) return network.catch(offlinePage);
    // A patchy link: the copy after networkTimeoutMs, the fresh page stored when it comes.
    // The app failing (5xx) also gets the copy.
    const late = new Promise((resolve) => setTimeout(() => resolve(cached), CONFIG.networkTimeoutMs));
    const answer = network.then((response) => (response.status >= 500 ? cached : response));
    return Promise.race([answer, late]).catch(() => cached);
  });
}

async function staticFile(event, request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, { ignoreVary: true });
  const fresh = fetch(request).then(async (response) => {
    if (response.ok) await cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => {}));
    return cached;
  }
  return fresh;
}

// Rendition names: images/<original stem>.<focal hash>.<filter spec>.<ext>. Offline, a
// size that was never fetched is answered with another size of the same picture.
function imageStem(url) {
  const match = /^(\/media\/images\/[^/]+?)\.(?:[0-9a-f]{8}\.)?(?:fill|max|min|width|height|scale|original)-/.exec(url.pathname);
  return match ? match[1] : null;
}

async function image(request, url) {
  const cache = await caches.open(IMAGES);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      trimImages();
    }
    return response;
  } catch (error) {
    const stem = imageStem(url);
    if (stem) {
      for (const key of await cache.keys()) {
        if (imageStem(new URL(key.url)) === stem) return cache.match(key);
      }
    }
    throw error;
  }
}

async function mediaFile(request) {
  const cached =
    (await (await caches.open(PRIVATE)).match(request.url)) ||
    (await (await caches.open(MEDIA)).match(request.url));
  if (!cached) return fetch(request);
  const range = request.headers.get("Range");
  return range ? rangeResponse(cached, range) : cached;
}

// An <audio> element asks for byte ranges; the stored copy is whole.
async function rangeResponse(response, range) {
  const blob = await response.blob();
  const size = blob.size;
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  let start = match && match[1] !== "" ? Number(match[1]) : null;
  let end = match && match[2] !== "" ? Number(match[2]) : null;
  if (start === null && end !== null) {
    start = Math.max(0, size - end);
    end = size - 1;
  } else if (start !== null) {
    end = end === null ? size - 1 : Math.min(end, size - 1);
  }
  if (!match || start === null || start >= size || start > end) {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  const part = blob.slice(start, end + 1);
  return new Response(part, {
    status: 206,
    statusText: "Partial Content",
    headers: {
      "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Content-Length": String(part.size),
      "Accept-Ranges": "bytes",
    },
  });
}

// --- What is kept -------------------------------------------------------------------------

function metaKey(path) {
  return self.location.origin + META_PREFIX + path;
}

async function getRecord(path) {
  const response = await (await caches.open(META)).match(metaKey(path));
  return response ? response.json() : null;
}

async function putRecord(record) {
  const old = (await getRecord(record.url)) || {};
  const merged = Object.assign(old, record, { at: Date.now() });
  await (await caches.open(META)).put(
    metaKey(record.url),
    new Response(JSON.stringify(merged), { headers: { "Content-Type": "application/json" } })
  );
  return merged;
}

async function allRecords() {
  const cache = await caches.open(META);
  const records = [];
  for (const key of await cache.keys()) {
    if (!new URL(key.url).pathname.startsWith(META_PREFIX + "/")) continue;
    const response = await cache.match(key);
    if (response) records.push(await response.json());
  }
  return records;
}

async function dropRecord(path) {
  await (await caches.open(META)).delete(metaKey(path));
}

function decode(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

async function forgetPage(url) {
  const key = pageKey(url);
  await (await caches.open(PAGES)).delete(key);
  await (await caches.open(PRIVATE)).delete(key);
  const record = await getRecord(url.pathname);
  if (record && record.kind === "story") await dropRecord(url.pathname);
}

// Stores a page answer as its X-Hoitu-Offline header allows; a "never", a 404 or a 410
// drops the copy (a story taken down, a paid story after the reader left). A server error
// keeps it: the app being down is when the copy is needed.
async function keepPage(url, response, { trim = true } = {}) {
  const store = response.headers.get("X-Hoitu-Offline");
  if (response.type !== "basic" || [404, 410].includes(response.status) || store === "never") {
    if (store === "never" || [404, 410].includes(response.status)) await forgetPage(url);
    return null;
  }
  if (response.status !== 200 || !["public", "private"].includes(store)) return null;
  if (store === "private") await ownPrivate(response.headers.get("X-Hoitu-Reader") || "");
  const html = await response.clone().text();
  const key = pageKey(url);
  await (await caches.open(store === "private" ? PRIVATE : PAGES)).put(key, response);
  await (await caches.open(store === "private" ? PAGES : PRIVATE)).delete(key);
  if (url.search) return null;
  const title = /<title>([^<]*)<\/title>/.exec(html);
  const name = title ? decode(title[1]).split(" — ")[0].trim() : url.pathname;
  if (response.headers.get("X-Hoitu-Offline-List") === "1") {
    await putRecord({ kind: "list", url: url.pathname, title: name });
    await keepList(url.pathname, { force: false });
  } else if (/<article class="story"/.test(html)) {
    await putRecord({ kind: "story", url: url.pathname, title: name, store });
  }
  if (trim) await trimPages();
  return html;
}

// `fresh`: past the browser's HTTP cache (pages may be kept there a few seconds).
function get(url, fresh) {
  return fetch(url, { credentials: "same-origin", cache: fresh ? "no-cache" : "default" });
}

async function fetchJson(url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || "Máy chủ không trả lời (" + response.status + ").");
  return data;
}

function listUrl(path) {
  return CONFIG.listUrl + "?trang=" + encodeURIComponent(path);
}

function saveData() {
  return Boolean(self.navigator.connection && self.navigator.connection.saveData);
}

async function keepImage(src) {
  if (!src) return;
  const cache = await caches.open(IMAGES);
  if (await cache.match(src)) return;
  const response = await fetch(src);
  if (response.ok) await cache.put(src, response);
}

// A story of a list: its page (unless already kept and not forced) and phone-size image.
async function keepStory(story, force) {
  const url = new URL(story.url, self.location.origin);
  if (force || !(await cachedPage(pageKey(url)))) {
    await keepPage(url, await get(url, force), { trim: false });
  }
  const record = await getRecord(url.pathname);
  if (!record) return; // the server would not let it be kept
  await putRecord({
    kind: "story",
    url: url.pathname,
    title: story.title,
    section: story.section,
    published: story.published,
    image: story.image,
    store: story.store,
  });
  await keepImage(story.image).catch(() => {});
}

async function keepList(path, { force }) {
  if (!force && saveData()) return; // the reader asked the browser to spare data
  const data = await fetchJson(listUrl(path));
  await putRecord({ kind: "list", url: path, title: data.title, stories: data.stories.map((s) => s.url) });
  for (const story of data.stories) {
    await keepStory(story, force).catch(() => {});
  }
  await trimPages();
  await tell({ type: "kept", path });
}

// --- Saving a story with its audio --------------------------------------------------------

function attr(tag, name) {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decode(match[1]) : "";
}

// Every file of an HLS ladder: playlists, init segments, segments.
async function hlsFiles(master) {
  const files = [master];
  const queue = [master];
  while (queue.length) {
    const playlist = queue.shift();
    const response = await fetch(playlist, { credentials: "same-origin" });
    if (!response.ok) throw new Error("HLS " + response.status);
    const text = await response.text();
    for (const line of text.split(/\r?\n/)) {
      const uris = line.startsWith("#") ? [...line.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]) : [line.trim()];
      for (const uri of uris.filter(Boolean)) {
        const absolute = new URL(uri, new URL(playlist, self.location.origin)).href;
        if (files.includes(absolute)) continue;
        files.push(absolute);
        if (/\.m3u8($|\?)/.test(absolute)) queue.push(absolute);
      }
    }
  }
  return files;
}

async function audioFiles(html) {
  const match = /<audio\b[^>]*>([\s\S]*?)<\/audio>/.exec(html);
  if (!match) return [];
  const hls = attr(match[0].slice(0, match[0].indexOf(">") + 1), "data-hls");
  if (hls) return [...(await hlsFiles(new URL(hls, self.location.origin).href)), CONFIG.hlsLib];
  const source = /<source\b[^>]*>/.exec(match[1]);
  const src = source ? attr(source[0], "src") : "";
  return src ? [new URL(src, self.location.origin).href] : [];
}

async function saveStory(path) {
  const data = await fetchJson(listUrl(path));
  const story = data.stories[0];
  const url = new URL(story.url, self.location.origin);
  const html = await keepPage(url, await get(url, true));
  if (html === null) throw new Error("Không lưu được bài này trên máy.");
  await keepImage(story.image).catch(() => {});
  const media = await caches.open(story.store === "private" ? PRIVATE : MEDIA);
  const files = await audioFiles(html);
  for (const file of files) {
    if (await media.match(file)) continue;
    const response = await fetch(file, { credentials: "same-origin" });
    if (!response.ok) throw new Error("Không tải được âm thanh (" + response.status + ").");
    await media.put(file, response);
  }
  return putRecord({
    kind: "story",
    url: url.pathname,
    title: story.title,
    section: story.section,
    published: story.published,
    image: story.image,
    store: story.store,
    saved: true,
    audio: files,
  });
}

async function unsaveStory(path) {
  const record = await getRecord(path);
  if (!record) return null;
  for (const name of [MEDIA, PRIVATE]) {
    const cache = await caches.open(name);
    for (const file of record.audio || []) await cache.delete(file);
  }
  return putRecord({ url: path, saved: false, audio: [] });
}

// --- Housekeeping -------------------------------------------------------------------------

// Oldest first (a cache lists its keys in the order they were stored), never a saved
// story or a list page.
async function trimPages() {
  const records = await allRecords();
  const keep = new Set(records.filter((r) => r.saved || r.kind === "list").map((r) => r.url));
  for (const name of [PAGES, PRIVATE]) {
    const cache = await caches.open(name);
    const keys = (await cache.keys()).filter((k) => !keep.has(new URL(k.url).pathname));
    for (const key of keys.slice(0, Math.max(0, keys.length - CONFIG.maxPages))) {
      await cache.delete(key);
      await dropRecord(new URL(key.url).pathname);
    }
  }
}

async function trimImages() {
  const records = await allRecords();
  const keep = new Set(records.filter((r) => r.saved).map((r) => r.image));
  const cache = await caches.open(IMAGES);
  const keys = (await cache.keys()).filter((k) => !keep.has(new URL(k.url).pathname));
  for (const key of keys.slice(0, Math.max(0, keys.length - CONFIG.maxImages))) await cache.delete(key);
}

async function forgetPrivate() {
  await caches.delete(PRIVATE);
  for (const record of await allRecords()) {
    if (record.store === "private") await dropRecord(record.url);
  }
}

// The private cache holds one reader's copies: another reader's page empties it first.
async function ownPrivate(reader) {
  const cache = await caches.open(META);
  const key = self.location.origin + "/__hoitu__/reader";
  const known = await cache.match(key);
  if (known && (await known.text()) === reader) return;
  await forgetPrivate();
  await cache.put(key, new Response(reader));
}

// Back online: the lists again (new stories), then the saved stories. Fails when nothing
// could be fetched (the link is not really back yet): the page asks again later.
let refreshing = null;

function refreshAll() {
  if (!refreshing) {
    refreshing = (async () => {
      // A link that drops every few minutes must not fetch everything each time.
      const meta = await caches.open(META);
      const stamp = self.location.origin + "/__hoitu__/refreshed";
      const last = await meta.match(stamp);
      if (last && Date.now() - Number(await last.text()) < CONFIG.refreshMinMs) {
        await tell({ type: "refreshed" });
        return;
      }
      const records = await allRecords();
      let fetched = 0;
      const again = (url) =>
        get(url, true)
          .then((r) => keepPage(url, r))
          .then(() => (fetched += 1))
          .catch(() => {});
      for (const record of records.filter((r) => r.kind === "list")) {
        await again(new URL(record.url, self.location.origin));
        await keepList(record.url, { force: !saveData() }).catch(() => {});
      }
      for (const record of records.filter((r) => r.saved)) {
        const signed = (record.audio || []).some((f) => new URL(f).pathname.startsWith("/tep-media/"));
        if (!signed) {
          await again(new URL(record.url, self.location.origin));
          continue;
        }
        // A paid story's audio links are signed for a while: the fresh page names new
        // ones, so its audio is kept again under them and the old files go.
        await saveStory(record.url)
          .then(async (saved) => {
            fetched += 1;
            const cache = await caches.open(PRIVATE);
            for (const file of record.audio) {
              if (!saved.audio.includes(file)) await cache.delete(file);
            }
          })
          // No longer entitled (or no audio now): the page alone, as the server gives it.
          .catch(() => again(new URL(record.url, self.location.origin)));
      }
      if (records.length && !fetched) throw new Error("Chưa có kết nối mạng.");
      await meta.put(stamp, new Response(String(Date.now())));
      await tell({ type: "refreshed" });
    })().finally(() => (refreshing = null));
  }
  return refreshing;
}

function refreshSoon() {
  refreshAll().catch(() => {});
}

async function tell(message) {
  const clients = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of clients) client.postMessage(message);
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const port = event.ports && event.ports[0];
  const reply = (value) => port && port.postMessage(value);
  const actions = {
    // The page of a first visit, which came before the worker: kept now.
    keep: async () => {
      const url = new URL(message.path, self.location.origin);
      if (url.origin !== self.location.origin || neverKept(url)) return null;
      // The answer the browser has just shown, from its HTTP cache when it is there.
      const response = await fetch(url, { credentials: "same-origin", cache: "force-cache" });
      await keepPage(url, response);
      return getRecord(url.pathname);
    },
    save: () => saveStory(message.path),
    unsave: () => unsaveStory(message.path),
    refresh: () => refreshAll(),
    "forget-private": () => forgetPrivate(),
  };
  const action = actions[message.type];
  if (!action) return;
  event.waitUntil(
    action().then(
      (result) => reply({ ok: true, result: result || null }),
      (error) => reply({ ok: false, error: (error && error.message) || "Lỗi không rõ." })
    )
  );
});
{% endautoescape %}
