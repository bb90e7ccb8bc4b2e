"""Zalo Official Account articles (API v2.0).

Contract followed (developers.zalo.me, "Quản lý bài viết"):
- POST {base}/v2.0/article/create, header `access_token`, JSON body
  {type: normal|video, title ≤150, author ≤50 (normal), cover {cover_type, photo_url,
  status}, description ≤300, body [{type: text|image|video, ...}], tracking_link,
  status: show|hide, comment: show|hide} → {error: 0, data: {token}}. Images ≤1 MB.
- POST {base}/v2.0/article/verify {token} → {error: 0, data: {id}} once processed; while
  Zalo is still processing it answers error -214 ("article is being processed"), which is
  waited for (the token is kept), never a failure.
- Every article carries `cover` (Zalo's SDKs always send it; articles without one are
  refused): the story's lead image, else the outlet's default cover.
- POST {base}/v2.0/article/update {id, ...same fields} → {error: 0, data: {token}}.
- POST {base}/v2.0/article/remove {id} → {error: 0}.
- Video articles: the file goes first to POST {base}/v2.0/article/upload_video/preparevideo
  (multipart `file`, mp4/avi ≤ 50 MB) → {data: {token}}; GET .../upload_video/verify with
  headers `access_token` and `token` → {data: {video_id, status}} (status 1 = ready,
  2 = locked, 3 = converting, 4 = failed, 5 = deleted: only 3 is worth waiting for); then
  create with {type: video, title, description, video_id,
  avatar, status, comment}.
- GET {base}/v2.0/article/getslice?offset&limit&type → {data: {medias: [{id, title}]}}:
  used after a create that got no answer (Zalo has no idempotency key), so a retry does
  not create it twice: the lookup waits DISTRIBUTION_ZALO_SETTLE_SECONDS after the lost
  create, in case Zalo carries it out late, and removes a duplicate if both landed.
- Errors come as HTTP 200 with a negative `error` and a `message`; -216 means the access
  token is invalid or expired. Tokens: POST oauth.zaloapp.com/v4/oa/access_token with
  header `secret_key`, form {app_id, refresh_token, grant_type=refresh_token} →
  {access_token, refresh_token, expires_in}; the refresh token is single-use."""

import posixpath
import time

from django.conf import settings
from django.core.files.storage import default_storage

from .base import PermanentError, TransientError, http_error, request

DEFAULT_BASE = "https://openapi.zalo.me"
DEFAULT_TOKEN_URL = "https://oauth.zaloapp.com/v4/oa/access_token"
# getslice pages searched for a create whose answer was lost: the platform's page size,
# and enough pages to cover the creates of a busy hour of the agency.
GETSLICE_PAGE = 10
GETSLICE_PAGES = 10
# Zalo's documented lifetimes: access token 25 hours (expires_in says so too), refresh
# token 3 months from its issue.
ACCESS_LIFETIME = 25 * 3600
REFRESH_LIFETIME_DAYS = 90
TITLE_MAX = 150
AUTHOR_MAX = 50
DESCRIPTION_MAX = 300
IMAGE_MAX_BYTES = 1024 * 1024
VIDEO_MAX_BYTES = 50 * 1024 * 1024
VIDEO_EXTENSIONS = (".mp4", ".avi")
VIDEO_READY, VIDEO_CONVERTING = 1, 3
# Statuses after which the video will never become usable, with the reason for staff.
VIDEO_DEAD = {
    2: "Zalo đã khóa video (trạng thái 2)",
    4: "Zalo không chuyển mã được video (trạng thái 4)",
    5: "video đã bị xóa trên Zalo (trạng thái 5)",
}
EXPIRED_TOKEN = -216
# article/verify: "the article is being processed"; the id comes later.
PROCESSING = -214
# Zalo's "exceeded rate limit"; other negative codes are refusals of the request itself.
TRANSIENT_CODES = {-32}


def clip(text: str, limit: int) -> str:
    """Cuts at a word boundary with an ellipsis, so a limit never breaks a word."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def wants_video(story) -> bool:
    """A TV story with its cut goes out as a Zalo video article."""
    return (
        story.primary_format == "tv"
        and bool(story.video_file)
        and story.video_file.lower().endswith(VIDEO_EXTENSIONS)
    )


def video_article_fields(story, video_id: str) -> dict:
    return {
        "type": "video",
        "title": clip(story.title, TITLE_MAX),
        "description": clip(story.standfirst, DESCRIPTION_MAX),
        "video_id": video_id,
        "avatar": story.video_thumbnail_url,
        "status": "show",
        "comment": "show",
    }


def article_fields(story) -> dict:
    body = []
    for block in story.blocks:
        if block["type"] == "image":
            body.append({"type": "image", "url": block["url"], "caption": block["caption"][:200]})
        elif block["type"] == "heading":
            body.append({"type": "text", "content": f"<p><b>{block['text']}</b></p>"})
        elif block["type"] == "quote":
            body.append({"type": "text", "content": f"<p><i>{block['text']}</i></p>"})
        else:
            body.append({"type": "text", "content": block.get("html") or block["text"]})
    if not story.is_free:
        # Paid stories: only the free preview leaves the site, then a link back.
        body.append(
            {
                "type": "text",
                "content": f'<p>Đọc toàn bài tại <a href="{story.url}">{story.url}</a></p>',
            }
        )
    if not body:
        body.append({"type": "text", "content": f"<p>{story.standfirst}</p>"})
    fields = {
        "type": "normal",
        "title": clip(story.title, TITLE_MAX),
        "author": clip(", ".join(story.authors) or story.outlet_name, AUTHOR_MAX),
        "description": clip(story.standfirst, DESCRIPTION_MAX),
        "body": body,
        "tracking_link": story.url,
        "status": "show",
        "comment": "show",
    }
    # Zalo refuses an article without a cover (its SDKs always send one).
    if not story.cover_url:
        raise PermanentError(
            "Zalo bắt buộc ảnh bìa: tin bài không có ảnh đại diện và ấn phẩm chưa đặt "
            "ảnh bìa mặc định (Cài đặt → Thiết lập phân phối)."
        )
    if story.cover_file and default_storage.size(story.cover_file) > IMAGE_MAX_BYTES:
        raise PermanentError("Ảnh bìa lớn hơn giới hạn 1 MB của Zalo.")
    fields["cover"] = {"cover_type": "photo", "photo_url": story.cover_url, "status": "show"}
    return fields


class StillProcessing(TransientError):
    """Zalo's -214 on verify: the article exists (or will); ask again later."""


class ZaloAdapter:
    def __init__(self, platform):
        self.platform = platform
        self.base = (platform.endpoint or DEFAULT_BASE).rstrip("/")

    # -- auth ---------------------------------------------------------------------------
    def _access_token(self) -> str:
        token = self.platform.credentials.get("access_token", "")
        if not token:
            raise PermanentError("Zalo platform has no access token")
        return token

    def _call(
        self,
        path: str,
        payload: dict | None,
        *,
        what: str,
        refreshed: bool = False,
        method: str = "POST",
        files=None,
        headers=None,
    ) -> dict:
        token = self._access_token()
        kwargs = {"files": files} if files else {"json": payload} if payload is not None else {}
        if files:
            for handle in files.values():
                handle[1].seek(0)
        response = request(
            method,
            f"{self.base}{path}",
            what=what,
            headers={"access_token": token, **(headers or {})},
            **kwargs,
        )
        if response.status_code != 200:
            raise http_error(response, what)
        try:
            answer = response.json()
            code = int(answer.get("error", 0))
        except (ValueError, AttributeError, TypeError):
            raise TransientError(f"{what}: unreadable answer {response.text[:200]!r}") from None
        if code == 0:
            data = answer.get("data")
            return data if isinstance(data, dict) else {}
        message = f"{what}: Zalo error {code} {answer.get('message', '')}".strip()
        if code == EXPIRED_TOKEN and not refreshed:
            from ..services import platform_refresh_zalo_token

            self.platform = platform_refresh_zalo_token(platform_id=self.platform.pk, stale=token)
            return self._call(
                path,
                payload,
                what=what,
                refreshed=True,
                method=method,
                files=files,
                headers=headers,
            )
        if code == PROCESSING:
            raise StillProcessing(message)
        if code in TRANSIENT_CODES:
            raise TransientError(message)
        raise PermanentError(message)

    # -- articles -------------------------------------------------------------------------
    def _verify(self, token: str, progress: dict) -> str:
        polls = settings.DISTRIBUTION_ZALO_VERIFY_POLLS
        for attempt in range(polls):
            try:
                data = self._call("/v2.0/article/verify", {"token": token}, what="verify")
            except StillProcessing:
                data = {}
            article_id = data.get("id") or data.get("article_id")
            if article_id:
                progress.pop("zalo_token", None)
                return str(article_id)
            if attempt + 1 < polls:
                time.sleep(settings.DISTRIBUTION_ZALO_VERIFY_INTERVAL)
        # Still processing: the token is kept so the retry verifies instead of re-creating.
        raise TransientError("verify: Zalo is still processing the article")

    def _video_id(self, story, progress: dict) -> str:
        """Uploads the TV cut once; the upload token and then the video id are kept in
        the delivery's progress, so a retry never uploads the file twice."""
        if progress.get("zalo_video_id"):
            return progress["zalo_video_id"]
        if not progress.get("zalo_video_token"):
            # From the media storage (local disk or the S3 bucket), never a local path.
            size = default_storage.size(story.video_file)
            if size > VIDEO_MAX_BYTES:
                raise PermanentError("Video is larger than Zalo's 50 MB limit")
            with default_storage.open(story.video_file, "rb") as handle:
                files = {"file": (posixpath.basename(story.video_file), handle, "video/mp4")}
                data = self._call(
                    "/v2.0/article/upload_video/preparevideo",
                    None,
                    what="upload video",
                    files=files,
                )
            if not data.get("token"):
                raise TransientError("upload video: Zalo answered without a token")
            progress["zalo_video_token"] = data["token"]
        polls = settings.DISTRIBUTION_ZALO_VERIFY_POLLS
        for attempt in range(polls):
            data = self._call(
                "/v2.0/article/upload_video/verify",
                None,
                what="verify video",
                method="GET",
                headers={"token": progress["zalo_video_token"]},
            )
            status = int(data.get("status") or 0)
            if status == VIDEO_READY and data.get("video_id"):
                progress["zalo_video_id"] = str(data["video_id"])
                return progress["zalo_video_id"]
            if status in VIDEO_DEAD:
                progress.pop("zalo_video_token", None)
                detail = data.get("convert_error_code") or data.get("message") or ""
                raise PermanentError(
                    f"Video không dùng được: {VIDEO_DEAD[status]}"
                    + (f" (mã {detail})" if detail else "")
                    + ". Hãy tải lại bản dựng rồi bấm “Gửi lại”."
                )
            if status != VIDEO_CONVERTING:
                # Not documented: worth another look later rather than a failure.
                raise TransientError(f"verify video: unexpected status {status!r} from Zalo")
            if attempt + 1 < polls:
                time.sleep(settings.DISTRIBUTION_ZALO_VERIFY_INTERVAL)
        raise TransientError("verify video: Zalo is still converting the video")

    def _find_created(self, title: str, kind: str) -> str | None:
        """After a create that got no answer: look through the newest articles
        (getslice, page by page) for ones with our title instead of creating it a second
        time. Other creates may have come after ours, so one page is not enough. Articles
        that are already another story's copy on this platform (a daily bulletin keeps its
        title) are never ours. If a create and its retry both landed, the oldest is kept and
        the others are removed. A lookup or removal that fails raises, so the retry looks
        again rather than creating a duplicate."""
        from ..models import PlatformCopy

        found: list[str] = []  # newest first, as getslice lists them
        for offset in range(0, GETSLICE_PAGE * GETSLICE_PAGES, GETSLICE_PAGE):
            data = self._call(
                f"/v2.0/article/getslice?offset={offset}&limit={GETSLICE_PAGE}&type={kind}",
                None,
                what="list articles",
                method="GET",
            )
            medias = [m for m in data.get("medias") or [] if isinstance(m, dict)]
            found += [str(m["id"]) for m in medias if m.get("title") == title and m.get("id")]
            if len(medias) < GETSLICE_PAGE:
                break
        held = set(
            PlatformCopy.objects.filter(
                platform_id=self.platform.pk, remote_id__in=found
            ).values_list("remote_id", flat=True)
        )
        found = [article_id for article_id in found if article_id not in held]
        if not found:
            return None
        keep, extras = found[-1], found[:-1]
        for article_id in extras:
            self._call("/v2.0/article/remove", {"id": article_id}, what="remove duplicate")
        return keep

    def publish(self, story, *, remote_id: str, progress: dict, key: str) -> str:
        if progress.get("zalo_token"):
            return self._verify(progress["zalo_token"], progress)
        if wants_video(story):
            fields = video_article_fields(story, self._video_id(story, progress))
        else:
            fields = article_fields(story)
        if not remote_id and progress.get("zalo_create_unanswered"):
            # A request that timed out may still be carried out later: look only once
            # that cannot happen any more, or the lookup misses it and we create twice.
            sent = float(progress["zalo_create_unanswered"])
            wait = sent + settings.DISTRIBUTION_ZALO_SETTLE_SECONDS - time.time()
            if wait > 0:
                raise TransientError(
                    f"create: no answer from Zalo; looking for the article in {wait:.0f} s",
                    retry_after=wait,
                )
            found = self._find_created(fields["title"], fields["type"])  # raises on doubt
            if found:
                # The lost create did happen: it is ours from now on, even if the update
                # below fails and is retried, so it is kept before anything else is sent.
                progress["zalo_article_id"] = found
            progress.pop("zalo_create_unanswered", None)
        # The article found after a lost create: updated, never created a second time.
        remote_id = remote_id or progress.get("zalo_article_id", "")
        if remote_id:
            data = self._call("/v2.0/article/update", {"id": remote_id, **fields}, what="update")
        else:
            try:
                data = self._call("/v2.0/article/create", fields, what="create")
            except TransientError as exc:
                if exc.unanswered:
                    progress["zalo_create_unanswered"] = time.time()
                    exc.retry_after = settings.DISTRIBUTION_ZALO_SETTLE_SECONDS
                raise
        token = data.get("token")
        if not token:
            raise TransientError("create: Zalo answered without a processing token")
        progress["zalo_token"] = token
        return self._verify(token, progress)

    def remove(self, *, story_pk: int, remote_id: str, progress: dict, key: str) -> None:
        try:
            self._call("/v2.0/article/remove", {"id": remote_id}, what="remove")
        except TransientError as exc:
            if exc.unanswered:
                progress["zalo_remove_unanswered"] = True
            raise
        except PermanentError:
            # A removal that got no answer before may have worked: the article is gone,
            # which is what a takedown wants.
            if not progress.get("zalo_remove_unanswered"):
                raise


def refresh_tokens(platform, credentials: dict) -> dict:
    """Trades the single-use refresh token for a new pair (caller holds the lock)."""
    url = platform.token_endpoint or DEFAULT_TOKEN_URL
    response = request(
        "POST",
        url,
        what="refresh token",
        data={
            "app_id": credentials.get("app_id", ""),
            "refresh_token": credentials.get("refresh_token", ""),
            "grant_type": "refresh_token",
        },
        headers={"secret_key": credentials.get("secret_key", "")},
    )
    if response.status_code != 200:
        raise http_error(response, "refresh token")
    try:
        answer = response.json()
    except ValueError:
        raise TransientError("refresh token: unreadable answer") from None
    if not answer.get("access_token") or not answer.get("refresh_token"):
        raise PermanentError(
            f"refresh token: Zalo error {answer.get('error')} {answer.get('error_name', '')}".strip()
        )
    try:
        lifetime = int(answer.get("expires_in") or ACCESS_LIFETIME)
    except (TypeError, ValueError):
        lifetime = ACCESS_LIFETIME
    return {
        **credentials,
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
        "expires_in": lifetime,
    }
