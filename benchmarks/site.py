"""A large, realistic site for the export benchmark, generated reproducibly from a seed.

It starts from the demo content (home, section indexes, closure notice) and adds case studies, news
releases and programmes with sessions: bodies of several hundred words with headings, quotes from
people, an image and links, tags, authors, speakers and downloads, in the same proportions each run.
"""

import io
import random
import uuid
from dataclasses import dataclass

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from case_studies.models import CaseStudyIndexPage, CaseStudyPage
from cms.core.demo_content import load_demo_content
from cms.core.models import Organisation, Person
from resources.models import (
    LearningProgrammePage,
    ProgrammeDownload,
    ProgrammeIndexPage,
    ProgrammeLearningOutcome,
    SessionLearningOutcome,
    SessionPage,
    SessionSpeaker,
)
from site_pages.models import NewsIndexPage, NewsReleasePage, NewsReleaseQuote

WORDS = (
    "loneliness isolation learning health care workers students community support wellbeing evidence "
    "practice programme session conversation referral signposting volunteers services connection trust "
    "belonging research outcomes risk groups training module webinar workshop partners network family "
    "friends school university housing transport neighbourhood listening confidence social prescribing "
    "mental physical activity recovery resilience inclusion access digital local national voluntary"
).split()
TOPICS = [
    f"{a} {b}" for a in ("youth", "older people", "carers", "students", "rural") for b in ("health", "work")
]
SESSIONS_PER_PROGRAMME = 5


def block(block_type, value):
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


class Writer:
    """Deterministic filler prose: the same seed gives the same site."""

    def __init__(self, seed):
        self.random = random.Random(seed)

    def words(self, count):
        return " ".join(self.random.choice(WORDS) for _ in range(count))

    def sentence(self):
        text = self.words(self.random.randint(8, 18))
        return text[0].upper() + text[1:] + "."

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.random.randint(3, 6)))

    def title(self):
        return self.words(self.random.randint(4, 8)).capitalize()

    def body(self, people, images, link_pages):
        """About 400 words: headings, paragraphs with a link, a quote and an image."""
        link = self.random.choice(link_pages)
        blocks = [
            block("paragraph", f"<p>{self.paragraph()}</p>"),
            block("heading", {"text": self.title(), "level": "h2"}),
            block(
                "paragraph", f'<p>{self.paragraph()} <a linktype="page" id="{link.pk}">{link.title}</a>.</p>'
            ),
            block(
                "quote",
                {"quote": self.paragraph(), "person": self.random.choice(people).pk, "attribution": ""},
            ),
            block(
                "image", {"image": self.random.choice(images).pk, "alt_text": self.words(6), "caption": ""}
            ),
            block("heading", {"text": self.title(), "level": "h2"}),
            block("paragraph", f"<p>{self.paragraph()}</p><p>{self.paragraph()}</p>"),
        ]
        return blocks


def make_images(count, writer):
    Image = get_image_model()
    images = []
    for number in range(count):
        colour = tuple(writer.random.randrange(256) for _ in range(3))
        buffer = io.BytesIO()
        PILImage.new("RGB", (1600, 900), colour).save(buffer, format="PNG")
        images.append(
            Image.objects.create(
                title=f"Bench image {number}", file=ImageFile(buffer, name=f"bench-{number}.png")
            )
        )
    return images


def make_documents(count):
    Document = get_document_model()
    from django.core.files.base import ContentFile

    return [
        Document.objects.create(
            title=f"Bench handout {n}", file=ContentFile(b"%PDF-1.4\n% bench\n", name=f"handout-{n}.pdf")
        )
        for n in range(count)
    ]


def publish(parent, page):
    """Add a live page without a revision history: fast, and what the export reads is the same."""
    now = timezone.now()
    page.live = True
    page.has_unpublished_changes = False
    page.first_published_at = page.last_published_at = now
    parent.add_child(instance=page)
    return page


@dataclass
class Material:
    """What the generated pages show and link to, made once before the pages."""

    organisations: list
    people: list
    images: list
    documents: list
    news_index: NewsIndexPage
    case_study_index: CaseStudyIndexPage
    programme_index: ProgrammeIndexPage

    @property
    def link_pages(self):
        return [self.news_index, self.case_study_index, self.programme_index]


def make_material(writer):
    organisations = [Organisation.objects.get_or_create(name=f"Bench organisation {n}")[0] for n in range(50)]
    people = [
        Person.objects.get_or_create(
            name=f"Bench person {n}", role=writer.title(), organisation=writer.random.choice(organisations)
        )[0]
        for n in range(200)
    ]
    images = make_images(20, writer)
    documents = make_documents(20)
    return Material(
        organisations,
        people,
        images,
        documents,
        news_index=NewsIndexPage.objects.get(),
        case_study_index=CaseStudyIndexPage.objects.get(),
        programme_index=ProgrammeIndexPage.objects.get(),
    )


def generate_bench_site(pages=10_000, seed=1, stdout=None):
    """Add about ``pages`` pages to the demo site; returns the number added."""
    load_demo_content(with_closure_notice=True)
    writer = Writer(seed)
    material = make_material(writer)
    programme_count = round(pages * 0.3 / (1 + SESSIONS_PER_PROGRAMME))
    news_count = round(pages * 0.3)
    case_study_count = pages - news_count - programme_count * (1 + SESSIONS_PER_PROGRAMME)
    with transaction.atomic():
        programmes = add_programmes(programme_count, writer, material)
        add_news_releases(news_count, writer, material, programmes)
        added = len(programmes) * (1 + SESSIONS_PER_PROGRAMME) + news_count
        for _ in add_case_studies(case_study_count, writer, material, programmes):
            added += 1
            if stdout and added % 1000 == 0:
                stdout.write(f"{added} pages…")
    return added


def add_programmes(count, writer, material):
    """Programmes, each with its sessions; returns the programmes."""
    programmes = []
    for number in range(count):
        programme = LearningProgrammePage(
            title=f"{writer.title()} programme {number}",
            slug=f"programme-{number}",
            summary=writer.sentence(),
            provider=writer.random.choice(material.organisations),
            audience=writer.words(4),
            launch_date=writer_date(writer),
            body=writer.body(material.people, material.images, material.link_pages),
        )
        programme.learning_outcomes = [ProgrammeLearningOutcome(text=writer.sentence()) for _ in range(5)]
        document = writer.random.choice(material.documents)
        programme.downloads = [ProgrammeDownload(document=document, description=writer.sentence())]
        publish(material.programme_index, programme)
        programmes.append(programme)
        for session_number in range(1, SESSIONS_PER_PROGRAMME + 1):
            add_session(programme, session_number, writer, material)
    return programmes


def add_session(programme, number, writer, material):
    session = SessionPage(
        title=f"Session {number}: {writer.title()}",
        slug=f"session-{number}",
        summary=writer.sentence(),
        number=number,
        duration_minutes=writer.random.choice([20, 30, 45, 60]),
        body=writer.body(material.people, material.images, material.link_pages),
    )
    session.learning_outcomes = [SessionLearningOutcome(text=writer.sentence())]
    session.speakers = [SessionSpeaker(person=writer.random.choice(material.people))]
    publish(programme, session)


def add_news_releases(count, writer, material, programmes):
    for number in range(count):
        release = NewsReleasePage(
            title=f"{writer.title()} {number}",
            slug=f"news-{number}",
            summary=writer.sentence(),
            release_date=writer_date(writer),
            body=writer.body(material.people, material.images, material.link_pages + programmes[:20]),
            media_contact_name="Press office",
            media_contact_email="press@example.org",
        )
        release.quotes = [
            NewsReleaseQuote(person=writer.random.choice(material.people), text=writer.paragraph())
            for _ in range(2)
        ]
        publish(material.news_index, release)


def add_case_studies(count, writer, material, programmes):
    """Yields each case study once it is published, so the caller can report progress."""
    for number in range(count):
        case_study = CaseStudyPage(
            title=f"{writer.title()} {number}",
            slug=f"case-study-{number}",
            summary=writer.sentence(),
            publication_date=writer_date(writer),
            author=writer.random.choice(material.people),
            body=writer.body(material.people, material.images, material.link_pages + programmes[:20]),
            related_programme=writer.random.choice(programmes) if programmes else None,
        )
        publish(material.case_study_index, case_study)
        case_study.topics.add(*writer.random.sample(TOPICS, 2))
        case_study.save()
        yield case_study


def writer_date(writer):
    return timezone.datetime(2015, 1, 1).date() + timezone.timedelta(days=writer.random.randrange(3650))
