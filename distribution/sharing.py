"""Press data sharing: IPTC NINJS 2.2 and NewsML-G2 2.35 renderings of a story's public
view. Only public text (the teaser of a paid story) is ever included."""

from lxml import etree

from .content import PublicStory

NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"
NAR = "http://iptc.org/std/nar/2006-10-01/"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _body_html(story: PublicStory) -> str:
    parts = []
    for block in story.blocks:
        if block["type"] == "image":
            parts.append(f'<figure><img src="{block["url"]}" alt=""/></figure>')
        elif block["type"] == "heading":
            parts.append(f"<h3>{_esc(block['text'])}</h3>")
        elif block["type"] == "quote":
            parts.append(f"<blockquote>{_esc(block['text'])}</blockquote>")
        else:
            parts.append(f"<p>{_esc(block['text'])}</p>")
    return "".join(parts)


def _esc(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))


def ninjs_item(story: PublicStory) -> dict:
    item = {
        "uri": story.guid,
        "standard": {"name": "ninjs", "version": "2.2", "schema": NINJS_SCHEMA},
        "type": "text",
        "representationtype": "full" if story.is_free else "partial",
        "version": str(story.revision_id or 1),
        "firstcreated": story.published.isoformat(),
        "versioncreated": story.updated.isoformat(),
        "pubstatus": "usable",
        "language": "vi",
        "headlines": [{"value": story.title, "contenttype": "text/plain"}],
        "descriptions": [{"role": "summary", "value": story.standfirst}],
        "bodies": [
            {
                "role": "main" if story.is_free else "teaser",
                "contenttype": "text/plain",
                "value": story.text,
            },
            {
                "role": "main" if story.is_free else "teaser",
                "contenttype": "text/html",
                "value": _body_html(story),
            },
        ],
        "copyrightholder": story.agency_name,
        "copyrightnotice": f"© {story.agency_name}",
        "usageterms": "Chia sẻ giữa các cơ quan báo chí theo thỏa thuận; ghi rõ nguồn.",
        "altids": [{"role": "url", "value": story.url}],
        "subjects": [{"name": tag, "rel": "about"} for tag in story.tags]
        + [{"name": story.section, "rel": "section"}],
        "genres": [{"name": story.primary_format}],
    }
    if story.authors:
        item["by"] = ", ".join(story.authors)
    if story.place:
        item["located"] = story.place
        item["places"] = [{"name": story.place}]
    if story.image_url:
        item["associations"] = [
            {
                "name": "lead-image",
                "uri": f"{story.guid}:image",
                "type": "picture",
                "renditions": [
                    {"name": "original", "href": story.image_url, "contenttype": "image/jpeg"}
                ],
            }
        ]
    if not story.is_free:
        item["ednote"] = "Bài thu phí: chỉ có phần đọc thử. Toàn bài tại " + story.url
    return item


def newsml_item(story: PublicStory) -> bytes:
    nsmap = {None: NAR}
    root = etree.Element(
        f"{{{NAR}}}newsItem",
        nsmap=nsmap,
        guid=story.guid,
        version=str(story.revision_id or 1),
        standard="NewsML-G2",
        standardversion="2.35",
        conformance="power",
    )
    root.set(XML_LANG, "vi")
    etree.SubElement(
        root,
        f"{{{NAR}}}catalogRef",
        href="http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml",
    )
    rights = etree.SubElement(root, f"{{{NAR}}}rightsInfo")
    holder = etree.SubElement(rights, f"{{{NAR}}}copyrightHolder")
    etree.SubElement(holder, f"{{{NAR}}}name").text = story.agency_name
    etree.SubElement(rights, f"{{{NAR}}}copyrightNotice").text = f"© {story.agency_name}"
    meta = etree.SubElement(root, f"{{{NAR}}}itemMeta")
    etree.SubElement(meta, f"{{{NAR}}}itemClass", qcode="ninat:text")
    provider = etree.SubElement(meta, f"{{{NAR}}}provider")
    etree.SubElement(provider, f"{{{NAR}}}name").text = story.agency_name
    etree.SubElement(meta, f"{{{NAR}}}versionCreated").text = story.updated.isoformat()
    etree.SubElement(meta, f"{{{NAR}}}firstCreated").text = story.published.isoformat()
    etree.SubElement(meta, f"{{{NAR}}}pubStatus", qcode="stat:usable")
    if not story.is_free:
        etree.SubElement(meta, f"{{{NAR}}}edNote").text = (
            "Bài thu phí: chỉ có phần đọc thử. Toàn bài tại " + story.url
        )
    etree.SubElement(meta, f"{{{NAR}}}link", rel="irel:seeAlso", href=story.url)
    content = etree.SubElement(root, f"{{{NAR}}}contentMeta")
    etree.SubElement(content, f"{{{NAR}}}contentCreated").text = story.published.isoformat()
    etree.SubElement(content, f"{{{NAR}}}contentModified").text = story.updated.isoformat()
    if story.place:
        located = etree.SubElement(content, f"{{{NAR}}}located")
        etree.SubElement(located, f"{{{NAR}}}name").text = story.place
    for author in story.authors:
        creator = etree.SubElement(content, f"{{{NAR}}}creator")
        etree.SubElement(creator, f"{{{NAR}}}name").text = author
    etree.SubElement(content, f"{{{NAR}}}language", tag="vi")
    for tag in story.tags:
        subject = etree.SubElement(content, f"{{{NAR}}}subject")
        etree.SubElement(subject, f"{{{NAR}}}name").text = tag
    etree.SubElement(content, f"{{{NAR}}}headline").text = story.title
    etree.SubElement(content, f"{{{NAR}}}description", role="drol:summary").text = story.standfirst
    content_set = etree.SubElement(root, f"{{{NAR}}}contentSet")
    inline = etree.SubElement(
        content_set, f"{{{NAR}}}inlineXML", contenttype="application/xhtml+xml"
    )
    html = etree.SubElement(inline, f"{{{XHTML}}}html", nsmap={None: XHTML})
    head = etree.SubElement(html, f"{{{XHTML}}}head")
    etree.SubElement(head, f"{{{XHTML}}}title").text = story.title
    body = etree.SubElement(html, f"{{{XHTML}}}body")
    for paragraph in [p for p in story.text.split("\n\n") if p.strip()]:
        etree.SubElement(body, f"{{{XHTML}}}p").text = paragraph
    if story.image_url:
        etree.SubElement(
            content_set,
            f"{{{NAR}}}remoteContent",
            href=story.image_url,
            contenttype="image/jpeg",
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
