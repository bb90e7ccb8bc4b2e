"""Builds the demo newsroom; every step is idempotent (safe to run twice)."""

import datetime
import io
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site, Task, Workflow

from paywall.access import AccessLevel

from ..models import (
    Agency,
    AgencyRole,
    Assignment,
    AssignmentStatus,
    Commission,
    HomePage,
    Outlet,
    OutletOwnership,
    Place,
    Role,
    SectionPage,
    StaffProfile,
    StoryByline,
    StoryPage,
)
from ..services import agency_collection, agency_setup_roles, department_officer_group
from ..text import vi_slugify
from . import content

DEMO_PASSWORD = "hoitu-demo"
User = get_user_model()


def load(stdout=None) -> None:
    rng = random.Random(2025)  # the same demo every time
    with transaction.atomic():
        root = _clear_wagtail_welcome()
        agencies = {}
        for spec in content.AGENCIES:
            agencies[spec["slug"]] = _agency(spec, root)
            agency_setup_roles(agency=agencies[spec["slug"]])
        staff = _staff(agencies)
        _admins()
        commission = _commission(agencies["baothanhhoa"])
        images = {slug: _images(agency, slug) for slug, agency in agencies.items()}
        _stories(agencies, staff, images, commission, rng, stdout)
        _assignments(agencies, staff, commission)
    if stdout:
        stdout.write(
            f"Demo newsroom: {Agency.objects.count()} agencies, "
            f"{StoryPage.objects.live().count()} published stories."
        )


def _clear_wagtail_welcome():
    root = Page.get_first_root_node()
    # Wagtail names the tree's roots "Root": staff read them in breadcrumbs and filters.
    Page.objects.filter(depth=1, title="Root").update(
        title="Tất cả ấn phẩm", draft_title="Tất cả ấn phẩm"
    )
    Collection.objects.filter(depth=1, name="Root").update(name="Tất cả bộ sưu tập")
    # Wagtail's own default workflow and its task, made by its migrations.
    Workflow.objects.filter(name="Moderators approval").update(name="Duyệt chung (mặc định)")
    Task.objects.filter(name="Moderators approval").update(name="Kiểm duyệt")
    for page in root.get_children():
        if page.specific_class is Page and page.slug == "home":
            Site.objects.filter(root_page=page).delete()
            page.delete()
    return root


def _agency(spec, root) -> Agency:
    fields = {
        k: spec[k]
        for k in (
            "name",
            "short_name",
            "licence_number",
            "licence_issuer",
            "governing_body",
            "address",
            "phone",
            "email",
            "editor_in_chief",
        )
    }
    fields["licence_date"] = datetime.date.fromisoformat(spec["licence_date"])
    agency, _ = Agency.objects.update_or_create(slug=spec["slug"], defaults=fields)
    o = spec["outlet"]
    home = HomePage.objects.filter(slug=spec["slug"]).first()
    if home is None:
        home = root.add_child(instance=HomePage(title=o["name"], slug=spec["slug"]))
    site, _ = Site.objects.update_or_create(
        hostname=o["hostname"],
        port=80,
        defaults={
            "root_page": home,
            "site_name": o["name"],
            "is_default_site": spec["slug"] == "baothanhhoa",
        },
    )
    outlet, created = Outlet.objects.update_or_create(
        site=site,
        defaults={"agency": agency, "name": o["name"], "kind": o["kind"], "tagline": o["tagline"]},
    )
    if created:
        OutletOwnership.objects.create(outlet=outlet, agency=agency, valid_from=agency.licence_date)
    for slug, title in o["sections"]:
        if not SectionPage.objects.child_of(home).filter(slug=slug).exists():
            home.add_child(instance=SectionPage(title=title, slug=slug, show_in_menus=True))
    return agency


def _user(username, first, last, *, staff=True, superuser=False):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@hoitu.demo",
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _staff(agencies) -> dict:
    staff = {}
    for agency_slug, agency in agencies.items():
        for login, role in content.ROLE_LOGINS.items():
            first, last = content.STAFF_NAMES[agency_slug][login]
            user = _user(f"{login}.{agency_slug}", first, last)
            group = AgencyRole.objects.get(agency=agency, role=role).group
            user.groups.add(group)
            StaffProfile.objects.get_or_create(
                user=user, defaults={"slug": vi_slugify(f"{last} {first} {agency_slug}")}
            )
            staff[(agency_slug, login)] = user
    return staff


def _admins():
    _user("quantri", "Quản trị", "Hệ thống", superuser=True)
    officer = _user("so.tttt", "Cán bộ", "Sở")
    officer.groups.add(department_officer_group())


def _commission(agency) -> Commission:
    commission, _ = Commission.objects.get_or_create(
        agency=agency,
        year=2025,
        topic="Tuyên truyền chuyển đổi số và xây dựng chính quyền số tỉnh Thanh Hóa",
        defaults={
            "ordering_body": "Sở Thông tin và Truyền thông tỉnh Thanh Hóa",
            "contract_number": "15/2025/HĐ-ĐH",
            "budget": 450_000_000,
            "quota_text": 40,
            "quota_photo": 10,
            "quota_radio": 12,
            "quota_tv": 8,
        },
    )
    return commission


IMAGE_COLOURS = [(163, 22, 27), (22, 96, 163), (30, 130, 76), (200, 120, 20), (90, 60, 140)]


def _images(agency, slug) -> list:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    Image = get_image_model()
    collection = agency_collection(agency=agency)
    images = []
    for i, colour in enumerate(IMAGE_COLOURS):
        title = f"Ảnh minh họa {agency.short_name} {i + 1}"
        existing = Image.objects.filter(title=title).first()
        if existing:
            images.append(existing)
            continue
        canvas = PILImage.new("RGB", (1200, 675), colour)
        draw = ImageDraw.Draw(canvas)
        for band in range(0, 675, 45):
            shade = tuple(min(255, c + band // 6) for c in colour)
            draw.rectangle([0, band, 1200, band + 22], fill=shade)
        buf = io.BytesIO()
        canvas.save(buf, "JPEG", quality=70)
        image = Image(title=title, collection=collection)
        image.file = ImageFile(buf, name=f"demo-{slug}-{i + 1}.jpg")
        image.save()
        images.append(image)
    return images


def _body(rng, headline, access):
    paragraphs = rng.sample(content.PARAGRAPHS, 5)
    quote, who = rng.choice(content.QUOTES)
    body = [
        ("paragraph", f"<p>{paragraphs[0]}</p>"),
        ("paragraph", f"<p>{paragraphs[1]}</p>"),
    ]
    if access != AccessLevel.FREE:
        body.append(("paywall_break", None))
    body += [
        ("heading", "Những chuyển biến rõ nét"),
        ("paragraph", f"<p>{paragraphs[2]}</p>"),
        ("quote", {"text": quote, "attribution": who}),
        ("paragraph", f"<p>{paragraphs[3]}</p>"),
        (
            "fact_box",
            {
                "title": "Thông tin thêm",
                "body": f"<ul><li>{headline}</li><li>Nguồn: tòa soạn</li></ul>",
            },
        ),
        ("paragraph", f"<p>{paragraphs[4]}</p>"),
    ]
    return body


def _stories(agencies, staff, images, commission, rng, stdout):
    places = list(Place.objects.order_by("code"))
    mountain = [p for p in places if p.is_mountainous]
    years = [2023, 2024, 2025, 2026]
    now = timezone.now()
    for index, (
        agency_slug,
        section_slug,
        fmt,
        headline,
        standfirst,
        tags,
        flags,
        access,
    ) in enumerate(content.STORIES):
        home = HomePage.objects.get(slug=agency_slug)
        section = SectionPage.objects.child_of(home).get(slug=section_slug)
        slug = vi_slugify(headline)
        if StoryPage.objects.child_of(section).filter(slug=slug).exists():
            continue
        year = years[index % 4]
        published = datetime.datetime(
            year,
            1 + (index * 5) % 12,
            1 + (index * 7) % 27,
            7 + index % 12,
            (index * 13) % 60,
            tzinfo=datetime.UTC,
        )
        if published > now:
            published = now - datetime.timedelta(hours=index + 1)
        place = rng.choice(mountain if "miền núi" in " ".join(tags) else places)
        story = StoryPage(
            title=headline,
            slug=slug,
            standfirst=standfirst,
            primary_format=fmt,
            access_level=access,
            political_task="p" in flags,
            essential_information="e" in flags,
            national_defence="d" in flags,
            place=place,
            lead_image=images[agency_slug][index % len(images[agency_slug])],
            body=_body(rng, headline, access),
            commission=commission
            if agency_slug == "baothanhhoa" and "chuyển đổi số" in tags and year == 2025
            else None,
            owner=staff[(agency_slug, "phongvien")],
        )
        story.bylines = [StoryByline(author=staff[(agency_slug, "phongvien")])]
        if index % 5 == 0:
            story.contributors = "Cộng tác viên Hoàng Lan"
        section.add_child(instance=story)
        story.tags.add(*tags)
        revision = story.save_revision(user=staff[(agency_slug, "phongvien")])
        revision.publish(user=staff[(agency_slug, "tongbientap")], skip_permission_checks=True)
        StoryPage.objects.filter(pk=story.pk).update(
            first_published_at=published, last_published_at=published
        )
    if stdout:
        stdout.write(f"Stories: {StoryPage.objects.count()}")


def _assignments(agencies, staff, commission):
    today = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0)
    plans = [
        (
            "baothanhhoa",
            "thoi-su",
            "Tường thuật phiên họp thường kỳ UBND tỉnh",
            ["text", "photo"],
            0,
            AssignmentStatus.ASSIGNED,
        ),
        (
            "baothanhhoa",
            "chuyen-doi-so",
            "Chữ ký số cho người dân xã biên giới",
            ["text", "photo", "radio", "tv"],
            1,
            AssignmentStatus.IN_PROGRESS,
        ),
        (
            "baothanhhoa",
            "mien-nui",
            "Mùa hoa ban ở Quan Sơn",
            ["text", "photo"],
            2,
            AssignmentStatus.PLANNED,
        ),
        (
            "ptth",
            "thoi-su",
            "Bản tin trưa: giao thông dịp cuối năm",
            ["tv", "radio"],
            0,
            AssignmentStatus.ASSIGNED,
        ),
        (
            "ptth",
            "phat-thanh",
            "Chương trình tiếng Thái tuần tới",
            ["radio"],
            3,
            AssignmentStatus.PLANNED,
        ),
        ("vannghe", "tho", "Tuyển chọn thơ số Tết", ["text"], 5, AssignmentStatus.ASSIGNED),
    ]
    for agency_slug, section_slug, title, formats, days, status in plans:
        agency = agencies[agency_slug]
        if Assignment.objects.filter(agency=agency, title=title).exists():
            continue
        home = HomePage.objects.get(slug=agency_slug)
        assignment = Assignment.objects.create(
            agency=agency,
            section=SectionPage.objects.child_of(home).get(slug=section_slug),
            title=title,
            brief="Đề nghị phóng viên liên hệ địa phương, có ảnh và phỏng vấn người dân.",
            formats=formats,
            deadline=today + datetime.timedelta(days=days),
            status=status,
            created_by=staff[(agency_slug, "thuky")],
            commission=commission if "Chữ ký số" in title else None,
        )
        if status != AssignmentStatus.PLANNED:
            assignment.reporters.add(staff[(agency_slug, "phongvien")])


def demo_loaded() -> bool:
    return (
        Agency.objects.filter(slug="baothanhhoa").exists()
        and User.objects.filter(username="phongvien.baothanhhoa").exists()
        and StoryPage.objects.count() >= len(content.STORIES)
    )


__all__ = ["load", "demo_loaded", "DEMO_PASSWORD", "Role", "Group"]
