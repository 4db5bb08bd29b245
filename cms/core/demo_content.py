"""Build the demo site: What Works Wellbeing's loneliness programme, its case study and its launch news.

The facts (names, roles, organisations, dates, titles) come from two published documents; the prose is
our own. Everything is found by a natural key (a slug under its parent, a snippet's name, an image's or
document's title) and updated in place, so loading twice gives the same site. A page gets a new published
revision only when its content changed.
"""

import io
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.html import escape
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.models import ClosureNotice, Organisation, Person
from resources.models import (
    LearningProgrammePage,
    ProgrammeDownload,
    ProgrammeIndexPage,
    ProgrammeLearningOutcome,
    SessionLearningOutcome,
    SessionPage,
)
from site_pages.models import (
    HomePage,
    HomePageFeaturedPage,
    NewsIndexPage,
    NewsReleasePage,
    NewsReleaseQuote,
    StandardPage,
)

SITE_NAME = "What Works Wellbeing"
LONDON = ZoneInfo("Europe/London")
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"

IMAGE_TITLE = "Tackling loneliness together (illustration)"
IMAGE_ALT = (
    "Illustration: a group of people linked by lines of connection, "
    "with one person standing apart and a line reaching out to them."
)
DOCUMENT_TITLE = "Tackling Loneliness and Social Isolation: programme overview"

HEE = "Health Education England"
PHE = "Public Health England"
CTEL = "Campaign to End Loneliness"
NASP = "National Academy of Social Prescribing"

ORGANISATIONS = {
    HEE: "https://www.hee.nhs.uk/",
    PHE: "https://www.gov.uk/government/organisations/public-health-england",
    CTEL: "https://www.campaigntoendloneliness.org/",
    NASP: "https://socialprescribingacademy.org.uk/",
}

# name: (role, organisation)
PEOPLE = {
    "Libby Potter": ("Head of Portfolio", HEE),
    "Janet Flint": (
        "Programme Lead for Long Term Conditions and Prevention, Maternity and Children and Young People",
        HEE,
    ),
    "Robin Hewings": ("Programme Director", CTEL),
    "Professor Simon Gregory": ("Deputy Medical Director", HEE),
    "Chris Sharp": ("Workforce Development Lead – North East and Yorkshire", PHE),
    "Dr. Kalpa Kharicha": ("Head of Research, Policy and Practice", CTEL),
    "Gay Palmer": ("Social Prescribing Link Worker", NASP),
}

PROGRAMME_TITLE = "Tackling Loneliness and Social Isolation"
CASE_STUDY_TITLE = "Using e-learning to tackle loneliness in students"
NEWS_TITLE = "New NHS training aims to address loneliness and social isolation"

# The programme's five learning outcomes, in our words. Each session page teaches one of them.
LEARNING_OUTCOMES = [
    "Explain why loneliness and social isolation matter as risk factors for poor health outcomes.",
    "Recognise people in their own practice who are at risk of loneliness and social isolation, "
    "using what they know about the risk factors and the key risk groups.",
    "Hold conversations that help find out whether someone is likely to be at risk of, "
    "or already experiencing, loneliness and social isolation.",
    "Describe the range of evidence-based interventions for loneliness, and know how to refer or "
    "signpost people identified as at risk of loneliness and social isolation.",
    "Where their role allows, stay in contact with clients experiencing loneliness and social "
    "isolation so that they receive ongoing care.",
]

# (slug, title, minutes, summary, body paragraphs). Durations are illustrative: the sources give none.
SESSIONS = [
    (
        "why-loneliness-matters-for-health",
        "Why loneliness matters for health",
        20,
        "What loneliness and social isolation are, how they differ, and why they are a risk to health.",
        [
            "Being alone and feeling lonely are not the same thing. This session sets out the difference, "
            "and looks at how a lack of meaningful connection can harm both physical and mental health.",
        ],
    ),
    (
        "spotting-who-is-at-risk",
        "Spotting who is at risk",
        25,
        "The risk factors for loneliness and the groups of people most likely to be affected.",
        [
            "Some life events and circumstances make loneliness more likely. This session walks through "
            "the main risk factors and the groups most affected, so you can notice them in the people "
            "you work with.",
        ],
    ),
    (
        "talking-about-loneliness",
        "Talking about loneliness",
        30,
        "How to start a conversation that helps someone say they may be lonely.",
        [
            "Loneliness can be hard to admit. This session offers practical ways to open a conversation, "
            "listen well and judge whether someone may be at risk or already lonely.",
        ],
    ),
    (
        "interventions-referral-and-signposting",
        "Interventions, referral and signposting",
        25,
        "The evidence-based support that exists and how to connect people with it.",
        [
            "Help for loneliness ranges from social prescribing to community groups. This session "
            "introduces the interventions with evidence behind them and explains when to refer someone "
            "and when to signpost them.",
        ],
    ),
    (
        "supporting-people-over-time",
        "Supporting people over time",
        20,
        "Keeping in touch with people experiencing loneliness so their care continues.",
        [
            "For some roles, support does not end with a referral. This session looks at how to keep "
            "up contact with people who are lonely or isolated, and how to check that their care is "
            "still meeting their needs.",
        ],
    ),
]

JANET_FLINT_QUOTE = (
    "Everyone involved in the health and care of others has the unique opportunity to recognise and "
    "support those who may be suffering ill physical or mental health caused by loneliness.\n\n"
    "This resource provides the tools to support a whole system approach to reducing loneliness and "
    "social isolation."
)
ROBIN_HEWINGS_QUOTE = (
    "Loneliness can have a massive impact on people's health, you are more likely to experience poor "
    "health and limited prospects if you are lonely.\n\n"
    "This tool offers support to practitioners who are playing a pivotal, often unsung role in helping "
    "people rebuild their social connections after Covid-19."
)
JO_COX_CALL_TO_ACTION = (
    "Equip people with information about the potential triggers for loneliness and ensure they know "
    "where to go for support."
)

CLOSURE_NOTICE_TEXT = (
    "This website is an archive, captured when What Works Wellbeing closed. "
    "Everything here can still be read, but it will no longer be updated."
)


_RANK = {"unchanged": 0, "updated": 1, "created": 2}


@dataclass
class LoadSummary:
    page_status: dict = field(default_factory=dict)  # page id -> "created" / "updated" / "unchanged"
    snippets: Counter = field(default_factory=Counter)
    media: Counter = field(default_factory=Counter)
    deleted_pages: list = field(default_factory=list)
    closure_notice: bool = False
    site: Site | None = None
    home: HomePage | None = None

    def record_page(self, page, status):
        """A page touched twice in one run (created, then filled in) counts once, by its biggest change."""
        previous = self.page_status.get(page.pk, "unchanged")
        self.page_status[page.pk] = max(previous, status, key=_RANK.__getitem__)

    @property
    def pages(self):
        return Counter(self.page_status.values())

    def lines(self):
        def fmt(counter):
            return ", ".join(f"{counter[key]} {key}" for key in ("created", "updated", "unchanged"))

        lines = [
            f"Pages: {fmt(self.pages)}.",
            f"People and organisations: {fmt(self.snippets)}.",
            f"Images and documents: {fmt(self.media)}.",
        ]
        if self.deleted_pages:
            lines.append("Removed Wagtail's default page: " + ", ".join(self.deleted_pages) + ".")
        if self.site:
            lines.append(
                f"Site “{self.site.site_name}” ({self.site.hostname}:{self.site.port}) → {self.home}."
            )
        if self.closure_notice:
            lines.append("Closure notice set.")
        return lines


# --- helpers --------------------------------------------------------------------------------------------


def _block(key, index, block_type, value):
    """A StreamField block in its stored (JSON) form, with an id stable across runs."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{index}"))}


def _stream(key, blocks):
    return [_block(key, index, block_type, value) for index, (block_type, value) in enumerate(blocks)]


def heading(text, level="h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(*parts):
    return ("paragraph", "".join(parts))


def page_link(page, text):
    return f'<a linktype="page" id="{page.pk}">{escape(text)}</a>'


def document_link(document, text):
    return f'<a linktype="document" id="{document.pk}">{escape(text)}</a>'


def bullet_list(items):
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


# Fields that change on every save or publish, or that belong to the tree rather than the content.
_VOLATILE_KEYS = {
    "pk",
    "id",
    "path",
    "depth",
    "numchild",
    "url_path",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "latest_revision",
    "live_revision",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by",
    "owner",
    "expired",
}


def _normalise(data):
    if isinstance(data, str) and data.startswith("[{"):
        # A StreamField's JSON: PostgreSQL's jsonb returns its keys in another order than they were saved.
        try:
            return _normalise(json.loads(data))
        except ValueError:
            return data
    if isinstance(data, dict):
        return {key: _normalise(value) for key, value in data.items() if key not in _VOLATILE_KEYS}
    if isinstance(data, list):
        return [_normalise(value) for value in data]
    return data


def _content_state(page):
    return _normalise(page.serializable_data())


def _apply(page, fields, tags=None):
    for name, value in fields.items():
        setattr(page, name, value)
    if tags is not None:
        page.topics.set(tags)


def upsert_page(parent, model, slug, summary, fields, tags=None):
    """Create the page under ``parent`` or update the one with this slug; publish only if it changed."""
    existing = parent.get_children().filter(slug=slug).first()
    if existing is None:
        page = model(slug=slug)
        _apply(page, fields, tags)
        parent.add_child(instance=page)
        page.save_revision().publish()
        summary.record_page(page, "created")
        return page

    page = existing.specific
    if not isinstance(page, model):
        raise ValueError(
            f"{existing.url_path} is a {type(page).__name__}, expected {model.__name__}: "
            "move or rename it, then load the demo content again."
        )
    before = _content_state(page)
    _apply(page, fields, tags)
    if _content_state(page) != before or not page.live or page.has_unpublished_changes:
        page.save_revision().publish()
        summary.record_page(page, "updated")
    else:
        summary.record_page(page, "unchanged")
    return page


def _upsert_model(model, lookup, values, counter):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        counter["created"] += 1
    elif any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
        counter["updated"] += 1
    else:
        counter["unchanged"] += 1
    return obj


# --- media made by the command itself -------------------------------------------------------------------


def draw_illustration(width=1600, height=900):
    """A simple landscape illustration: people linked together, one apart, and a line reaching out."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    canvas = PILImage.new("RGB", (width, height), "#e8f1f2")
    draw = ImageDraw.Draw(canvas)
    draw.rectangle([0, height - 170, width, height], fill="#005eb8")

    group = [(380, 330), (560, 250), (720, 380), (520, 480), (300, 520), (700, 560)]
    for index, (x1, y1) in enumerate(group):
        for x2, y2 in group[index + 1 :]:
            draw.line([x1, y1, x2, y2], fill="#7fa7c9", width=6)
    colours = ["#ffb81c", "#41b6e6", "#ae2573", "#009639", "#ed8b00", "#330072"]
    for (x, y), colour in zip(group, colours, strict=True):
        _person(draw, x, y, colour)

    alone = (1250, 430)
    (x1, y1), (x2, y2) = (790, 410), (alone[0] - 70, alone[1] - 10)
    dashes = 10  # a dashed line reaching out to the person on their own
    for step in range(dashes):
        start, end = step / dashes, (step + 0.55) / dashes
        draw.line(
            [x1 + (x2 - x1) * start, y1 + (y2 - y1) * start, x1 + (x2 - x1) * end, y1 + (y2 - y1) * end],
            fill="#425563",
            width=6,
        )
    _person(draw, *alone, "#768692")

    def font(size):
        try:
            return ImageFont.load_default(size=size)
        except (TypeError, OSError):  # Pillow built without FreeType
            return ImageFont.load_default()

    draw.text((80, height - 140), "Tackling loneliness together", fill="white", font=font(72))
    draw.text((80, height - 55), SITE_NAME, fill="#e8f1f2", font=font(36))

    output = io.BytesIO()
    canvas.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _person(draw, x, y, colour):
    draw.ellipse([x - 32, y - 100, x + 32, y - 36], fill=colour)  # head
    draw.rounded_rectangle([x - 50, y - 28, x + 50, y + 80], radius=40, fill=colour)  # body


def _pdf_text(text):
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(title, paragraphs):
    """A small, valid one-page PDF (Helvetica, A4) written by hand: no PDF library needed."""
    commands = [
        "BT",
        "/F1 18 Tf",
        "22 TL",
        "60 780 Td",
        f"({_pdf_text(title)}) Tj",
        "T*",
        "/F1 11 Tf",
        "15 TL",
    ]
    for lines in paragraphs:
        commands.append("T*")
        commands += [f"({_pdf_text(line)}) Tj T*" for line in lines]
    commands.append("ET")
    content = "\n".join(commands).encode("latin-1")

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(output)


def programme_overview_pdf():
    outcomes = [
        ["Session 1: Why loneliness matters for health (20 minutes)"],
        ["Session 2: Spotting who is at risk (25 minutes)"],
        ["Session 3: Talking about loneliness (30 minutes)"],
        ["Session 4: Interventions, referral and signposting (25 minutes)"],
        ["Session 5: Supporting people over time (20 minutes)"],
    ]
    return build_pdf(
        DOCUMENT_TITLE,
        [
            [
                "An e-learning programme for health and social care workers from Health Education",
                "England, created with Public Health England and the Campaign to End Loneliness.",
                "Launched on 23 June 2021, during World Wellbeing Week.",
            ],
            [
                "It answers the 2017 call to action from the Jo Cox Commission on Loneliness: help",
                "people understand what can trigger loneliness and where to find support.",
            ],
            ["The five sessions:"],
            *outcomes,
            ["Demo document generated by the load_demo_content command."],
        ],
    )


def ensure_image(summary):
    Image = get_image_model()
    image = Image.objects.filter(title=IMAGE_TITLE).order_by("pk").first()
    if image:
        summary.media["unchanged"] += 1
        return image
    image = Image(
        title=IMAGE_TITLE,
        collection=Collection.get_first_root_node(),
        file=ImageFile(io.BytesIO(draw_illustration()), name="tackling-loneliness-together.png"),
    )
    image._set_image_file_metadata()
    image.save()
    summary.media["created"] += 1
    return image


def ensure_document(summary):
    Document = get_document_model()
    document = Document.objects.filter(title=DOCUMENT_TITLE).order_by("pk").first()
    if document:
        summary.media["unchanged"] += 1
        return document
    document = Document(
        title=DOCUMENT_TITLE,
        collection=Collection.get_first_root_node(),
        file=ContentFile(programme_overview_pdf(), name="tackling-loneliness-programme-overview.pdf"),
    )
    document._set_document_file_metadata()
    document.save()
    summary.media["created"] += 1
    return document


# --- snippets -------------------------------------------------------------------------------------------


def ensure_people(summary):
    organisations = {
        name: _upsert_model(Organisation, {"name": name}, {"website": website}, summary.snippets)
        for name, website in ORGANISATIONS.items()
    }
    people = {
        name: _upsert_model(
            Person,
            {"name": name},
            {"role": role, "organisation": organisations[organisation]},
            summary.snippets,
        )
        for name, (role, organisation) in PEOPLE.items()
    }
    return organisations, people


# --- site and home page ---------------------------------------------------------------------------------


def ensure_home_and_site(summary):
    """Make a HomePage the root of the default site, replacing Wagtail's welcome page."""
    root = Page.get_first_root_node()
    welcome_pages = list(
        root.get_children()
        .filter(content_type=ContentType.objects.get_for_model(Page), title=WAGTAIL_WELCOME_TITLE)
        .order_by("path")
    )
    home = HomePage.objects.first()
    if home is None:
        for welcome in welcome_pages:  # free the "home" slug for our page
            if welcome.slug == "home":
                welcome.slug = f"wagtail-welcome-{welcome.pk}"
                welcome.save(update_fields=["slug", "url_path"], clean=False)
        home = HomePage(title=SITE_NAME, slug="home")
        root.add_child(instance=home)
        home.save_revision().publish()
        summary.record_page(home, "created")

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    if site is None:
        site = Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=SITE_NAME
        )
    elif site.root_page_id != home.pk or site.site_name != SITE_NAME or not site.is_default_site:
        site.root_page = home
        site.site_name = SITE_NAME
        site.is_default_site = True
        site.save()

    for welcome in welcome_pages:
        if not Site.objects.filter(root_page=welcome).exists():
            summary.deleted_pages.append(WAGTAIL_WELCOME_TITLE)
            welcome.delete()
    summary.site, summary.home = site, home
    return home, site


# --- the content ----------------------------------------------------------------------------------------


def load_demo_content(with_closure_notice=False):
    """Build or refresh the demo site. Safe to run any number of times."""
    summary = LoadSummary()
    with transaction.atomic():
        _load(summary, with_closure_notice)
    return summary


def _load(summary, with_closure_notice):
    image = ensure_image(summary)
    document = ensure_document(summary)
    organisations, people = ensure_people(summary)
    home, site = ensure_home_and_site(summary)

    about = upsert_page(
        home,
        StandardPage,
        "about",
        summary,
        {
            "title": "About",
            "show_in_menus": True,
            "summary": "What this site holds and who it was for.",
        },
    )
    programmes = upsert_page(
        home,
        ProgrammeIndexPage,
        "learning-programmes",
        summary,
        {
            "title": "Learning programmes",
            "show_in_menus": True,
            "summary": "E-learning for health and social care workers.",
            "intro": "<p>Courses that help people working in health and care support wellbeing, "
            "each broken down into short sessions you can take at your own pace.</p>",
        },
    )
    case_studies = upsert_page(
        home,
        CaseStudyIndexPage,
        "case-studies",
        summary,
        {
            "title": "Case studies",
            "show_in_menus": True,
            "summary": "How our learning programmes are being used, told by the people involved.",
            "intro": "<p>Accounts of the learning programmes in practice: who they reach, "
            "what they change and what comes next.</p>",
        },
    )
    news = upsert_page(
        home,
        NewsIndexPage,
        "news",
        summary,
        {
            "title": "News",
            "show_in_menus": True,
            "summary": "Announcements about new programmes, events and partnerships.",
            "intro": "<p>Announcements about new learning programmes, events and the partners "
            "we work with.</p>",
        },
    )
    statement = upsert_page(
        home,
        StandardPage,
        "about-this-archive",
        summary,
        {
            "title": "About this archive",
            "show_in_menus": False,
            "summary": "Why this website no longer changes, and how to read what it holds.",
            "body": _stream(
                "about-this-archive",
                [
                    paragraph(
                        "<p>What Works Wellbeing operated from 2014 to 2024. When it closed on "
                        "30 April 2024, everything published on this website was captured exactly "
                        "as it stood that day.</p>"
                    ),
                    paragraph(
                        "<p>The archive stays online so that anyone can keep using it, but nothing "
                        "here will be changed or added. Please read each page as a record of its "
                        "publication date: links, contact details and the names of organisations "
                        "may have changed since.</p>"
                    ),
                    heading("Reusing what you find"),
                    paragraph(
                        "<p>Learning materials and documents can still be downloaded from the pages "
                        "that list them. If you quote a page, give its title and the date shown on it.</p>"
                    ),
                ],
            ),
        },
    )

    programme = upsert_page(
        programmes,
        LearningProgrammePage,
        "tackling-loneliness-and-social-isolation",
        summary,
        {
            "title": PROGRAMME_TITLE,
            "summary": "Five short e-learning sessions that help health and social care workers "
            "recognise loneliness and social isolation, talk about it, and connect people with support.",
            "social_image": image,
            "provider": organisations[HEE],
            "partner_organisations": [organisations[PHE], organisations[CTEL]],
            "audience": "Health and social care workers",
            "launch_date": date(2021, 6, 23),
            "course_url": "",
            "learning_outcomes": [
                ProgrammeLearningOutcome(text=text, sort_order=index)
                for index, text in enumerate(LEARNING_OUTCOMES)
            ],
            "downloads": [
                ProgrammeDownload(
                    document=document,
                    sort_order=0,
                    description="A one-page summary of the programme and its five sessions, "
                    "to share with colleagues or managers.",
                )
            ],
            "body": _stream(
                "programme",
                [
                    heading("Why this programme exists"),
                    paragraph(
                        "<p>In 2017 the Jo Cox Commission on Loneliness issued a call to action: give "
                        "people the information they need to understand what can trigger loneliness, "
                        "and make sure they know where to turn for support. This programme is a direct "
                        "answer to that call for everyone working in health and social care.</p>"
                    ),
                    paragraph(
                        "<p>Health Education England developed it with Public Health England and the "
                        "Campaign to End Loneliness, and launched it during World Wellbeing Week in "
                        "June 2021.</p>"
                    ),
                    heading("How it works"),
                    paragraph(
                        "<p>The programme is split into five self-paced e-learning sessions. Each one "
                        "is built around a single learning outcome, so you can work through them in "
                        "order or go straight to the one you need.</p>"
                    ),
                    (
                        "image",
                        {
                            "image": image.pk,
                            "alt_text": IMAGE_ALT,
                            "caption": "Everyone in health and care can help someone reconnect.",
                        },
                    ),
                ],
            ),
        },
    )

    for number, (slug, title, minutes, session_summary, paragraphs) in enumerate(SESSIONS, start=1):
        upsert_page(
            programme,
            SessionPage,
            slug,
            summary,
            {
                "title": title,
                "summary": session_summary,
                "number": number,
                "session_format": SessionPage.Format.E_LEARNING,
                "duration_minutes": minutes,
                "scheduled_start": None,
                "scheduled_end": None,
                "audience": "",
                "learning_outcomes": [
                    SessionLearningOutcome(text=LEARNING_OUTCOMES[number - 1], sort_order=0)
                ],
                "speakers": [],
                "body": _stream(
                    f"session-{number}", [paragraph(f"<p>{escape(text)}</p>") for text in paragraphs]
                ),
            },
        )

    case_study = upsert_page(
        case_studies,
        CaseStudyPage,
        "using-e-learning-to-tackle-loneliness-in-students",
        summary,
        {
            "title": CASE_STUDY_TITLE,
            "summary": "Students and trainees are especially likely to feel lonely. Health Education "
            "England's new e-learning helps health and care workers notice the signs and respond.",
            "social_image": image,
            "publication_date": date(2021, 8, 4),
            "author": people["Libby Potter"],
            "related_programme": programme,
            "body": _stream(
                "case-study",
                [
                    paragraph(
                        "<p>Loneliness has been called a pandemic in its own right. It touches millions "
                        "of lives around the world and does real damage to physical and mental health "
                        "alike.</p>"
                    ),
                    heading("Why students are at risk"),
                    paragraph(
                        "<p>Students and trainees stand out as a group who can be hit especially hard. "
                        "Moving away from home for the first time, worrying about missing out, social "
                        "anxiety, homesickness and the effort of building new friendships can all make "
                        "loneliness worse.</p>"
                    ),
                    paragraph(
                        "<p>Spending time on your own is not the same as being lonely. What counts is "
                        "less how many contacts we have than what they are worth to us: genuine "
                        "relationships, trust, a sense of belonging and feeling valued.</p>"
                    ),
                    heading("A new e-learning programme"),
                    paragraph(
                        "<p>At Health Education England (HEE) we have worked with partner organisations "
                        "to build the ",
                        page_link(programme, "Tackling Loneliness and Social Isolation"),
                        " e-learning programme for health and social care workers. It responds "
                        "directly to the call to action made in 2017 by the Jo Cox Commission on "
                        "Loneliness:</p>",
                    ),
                    (
                        "quote",
                        {
                            "quote": JO_COX_CALL_TO_ACTION,
                            "person": None,
                            "attribution": "Jo Cox Commission on Loneliness, call to action (2017)",
                        },
                    ),
                    heading("What learners can do after the sessions", "h3"),
                    paragraph(bullet_list(LEARNING_OUTCOMES)),
                    (
                        "image",
                        {
                            "image": image.pk,
                            "alt_text": IMAGE_ALT,
                            "caption": "Noticing who is on the edge of the group is the first step.",
                        },
                    ),
                    heading("Everyone can play a part"),
                    paragraph(
                        "<p>Once we learn to recognise the signs of loneliness, each of us can help "
                        "tackle it, in ourselves and in the people around us. That is exactly what "
                        "this programme sets out to teach.</p>"
                    ),
                ],
            ),
            "call_to_action": _stream(
                "case-study-cta",
                [
                    (
                        "call_to_action",
                        {
                            "title": "Tell us what you think",
                            "text": "Have you used the e-learning programme or its resources? "
                            "Let us know what worked for you and what could be better.",
                            "link_text": "Give feedback in our survey",
                            "page": None,
                            "url": "https://example.org/tackling-loneliness-feedback-survey",
                        },
                    )
                ],
            ),
        },
        tags=["loneliness", "students", "e-learning"],
    )

    news_release = upsert_page(
        news,
        NewsReleasePage,
        "new-nhs-training-aims-to-address-loneliness-and-social-isolation",
        summary,
        {
            "title": NEWS_TITLE,
            "summary": "A new e-learning resource from Health Education England shows NHS, care and "
            "voluntary sector staff how to recognise loneliness and where to refer or signpost people.",
            "social_image": image,
            "release_date": date(2021, 6, 23),
            "partner_organisations": [organisations[PHE], organisations[CTEL]],
            "media_contact_name": "HEE press office",
            "media_contact_email": "pressoffice@hee.nhs.uk",
            "quotes": [
                NewsReleaseQuote(person=people["Janet Flint"], text=JANET_FLINT_QUOTE, sort_order=0),
                NewsReleaseQuote(person=people["Robin Hewings"], text=ROBIN_HEWINGS_QUOTE, sort_order=1),
            ],
            "event": _stream(
                "news-event",
                [
                    (
                        "event",
                        {
                            "title": "Tackling Loneliness",
                            "start": datetime(2021, 6, 30, 12, 0, tzinfo=LONDON).isoformat(),
                            "end": datetime(2021, 6, 30, 13, 0, tzinfo=LONDON).isoformat(),
                            "chair": people["Professor Simon Gregory"].pk,
                            "speakers": [
                                _block("news-event-speakers", index, "item", people[name].pk)
                                for index, name in enumerate(
                                    ["Chris Sharp", "Dr. Kalpa Kharicha", "Gay Palmer"]
                                )
                            ],
                            "joining_url": "",
                        },
                    )
                ],
            ),
            "body": _stream(
                "news-release",
                [
                    paragraph(
                        "<p>People working across the NHS, social care and the voluntary sector can now "
                        "learn which interventions exist for loneliness and social isolation, and how "
                        "to refer or signpost someone who may be affected.</p>"
                    ),
                    paragraph(
                        "<p>Health Education England (HEE) built the new e-learning resource together "
                        "with Public Health England and the Campaign to End Loneliness. It helps health "
                        "and care learners notice when someone may be at risk of loneliness or social "
                        "isolation, and understand how that can harm their health.</p>"
                    ),
                    paragraph(
                        "<p>HEE is launching the resource during World Wellbeing Week (21–30 June). On "
                        "30 June it is hosting a webinar, “Tackling Loneliness”, at which a panel of "
                        "experts will discuss the damage loneliness does and what it means for "
                        "healthcare.</p>"
                    ),
                    heading("Why it matters"),
                    paragraph(
                        "<p>Studies have linked loneliness and social isolation with a greater risk of "
                        "many physical and mental health problems: high blood pressure, heart disease, "
                        "obesity, a weaker immune system, anxiety, depression, cognitive decline and "
                        "Alzheimer’s disease, and even early death.</p>"
                    ),
                    heading("What the training covers"),
                    paragraph(
                        bullet_list(
                            [
                                "How to handle conversations and ongoing contact with people who may "
                                "be at risk.",
                                "The range of evidence-based interventions available.",
                                "How to refer or signpost people to support services.",
                            ]
                        )
                    ),
                    paragraph(
                        "<p>Find out more about the ",
                        page_link(programme, "Tackling Loneliness and Social Isolation programme"),
                        ", or download the ",
                        document_link(document, "programme overview (PDF)"),
                        ".</p>",
                    ),
                ],
            ),
        },
    )

    upsert_page(
        about.get_parent(),
        StandardPage,
        "about",
        summary,
        {
            "title": "About",
            "show_in_menus": True,
            "summary": "What this site holds and who it was for.",
            "body": _stream(
                "about",
                [
                    paragraph(
                        "<p>What Works Wellbeing operated from 2014 to 2024. This site keeps its "
                        "resources on wellbeing available to anyone who works in health, care or their "
                        "community, with a particular focus on loneliness and social isolation.</p>"
                    ),
                    heading("What you will find here"),
                    paragraph(
                        "<ul>"
                        f"<li>{page_link(programmes, 'Learning programmes')}: e-learning for health "
                        "and social care workers, broken into short sessions.</li>"
                        f"<li>{page_link(case_studies, 'Case studies')}: how the programmes are used "
                        "and why they matter.</li>"
                        f"<li>{page_link(news, 'News')}: launches, events and partnerships.</li>"
                        "</ul>"
                    ),
                    heading("Working with partners"),
                    paragraph(
                        "<p>The learning programme here was developed by Health Education England with "
                        "Public Health England and the Campaign to End Loneliness. Its launch webinar "
                        "also heard from the National Academy of Social Prescribing.</p>"
                    ),
                    paragraph(
                        "<p>The site is now an archive: ",
                        page_link(statement, "read about this archive"),
                        ".</p>",
                    ),
                ],
            ),
        },
    )

    upsert_page(
        Page.get_first_root_node(),
        HomePage,
        home.slug,
        summary,
        {
            "title": SITE_NAME,
            "summary": "Learning, case studies and news on wellbeing, loneliness and social isolation.",
            "social_image": image,
            "intro": "<p>Resources that help people working in health and care support wellbeing, "
            "starting with how to recognise loneliness and social isolation and what to do about it.</p>",
            "featured_pages": [
                HomePageFeaturedPage(page=page, sort_order=index)
                for index, page in enumerate([case_study, programme, news_release])
            ],
        },
    )

    if with_closure_notice:
        notice = ClosureNotice.for_site(site)
        notice.organisation_name = SITE_NAME
        notice.operated_from = 2014
        notice.operated_until = 2024
        notice.closure_date = date(2024, 4, 30)
        notice.notice_text = CLOSURE_NOTICE_TEXT
        notice.statement_page = statement
        notice.full_clean()
        notice.save()
        summary.closure_notice = True
