"""A large, realistic site for the export benchmark, generated reproducibly from a seed.

It starts from the demo content (home, section indexes, closure notice) and adds case studies, news
releases and programmes with sessions: bodies of several hundred words with headings, quotes from
people, an image and links, tags, authors, speakers and downloads, in the same proportions each run.
"""

import io
import random
import uuid

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


def generate_bench_site(pages=10_000, seed=1, stdout=None):
    """Add about ``pages`` pages to the demo site; returns the number added."""
    load_demo_content(with_closure_notice=True)
    writer = Writer(seed)
    organisations = [Organisation.objects.get_or_create(name=f"Bench organisation {n}")[0] for n in range(50)]
    people = [
        Person.objects.get_or_create(
            name=f"Bench person {n}", role=writer.title(), organisation=writer.random.choice(organisations)
        )[0]
        for n in range(200)
    ]
    images = make_images(20, writer)
    documents = make_documents(20)
    news_index = NewsIndexPage.objects.get()
    case_study_index = CaseStudyIndexPage.objects.get()
    programme_index = ProgrammeIndexPage.objects.get()
    link_pages = [news_index, case_study_index, programme_index]

    programme_count = round(pages * 0.3 / (1 + SESSIONS_PER_PROGRAMME))
    news_count = round(pages * 0.3)
    case_study_count = pages - news_count - programme_count * (1 + SESSIONS_PER_PROGRAMME)
    added = 0
    programmes = []
    with transaction.atomic():
        for number in range(programme_count):
            programme = LearningProgrammePage(
                title=f"{writer.title()} programme {number}",
                slug=f"programme-{number}",
                summary=writer.sentence(),
                provider=writer.random.choice(organisations),
                audience=writer.words(4),
                launch_date=writer_date(writer),
                body=writer.body(people, images, link_pages),
            )
            programme.learning_outcomes = [ProgrammeLearningOutcome(text=writer.sentence()) for _ in range(5)]
            programme.downloads = [
                ProgrammeDownload(document=writer.random.choice(documents), description=writer.sentence())
            ]
            publish(programme_index, programme)
            programmes.append(programme)
            added += 1
            for session_number in range(1, SESSIONS_PER_PROGRAMME + 1):
                session = SessionPage(
                    title=f"Session {session_number}: {writer.title()}",
                    slug=f"session-{session_number}",
                    summary=writer.sentence(),
                    number=session_number,
                    duration_minutes=writer.random.choice([20, 30, 45, 60]),
                    body=writer.body(people, images, link_pages),
                )
                session.learning_outcomes = [SessionLearningOutcome(text=writer.sentence())]
                session.speakers = [SessionSpeaker(person=writer.random.choice(people))]
                publish(programme, session)
                added += 1
        for number in range(news_count):
            release = NewsReleasePage(
                title=f"{writer.title()} {number}",
                slug=f"news-{number}",
                summary=writer.sentence(),
                release_date=writer_date(writer),
                body=writer.body(people, images, link_pages + programmes[:20]),
                media_contact_name="Press office",
                media_contact_email="press@example.org",
            )
            release.quotes = [
                NewsReleaseQuote(person=writer.random.choice(people), text=writer.paragraph())
                for _ in range(2)
            ]
            publish(news_index, release)
            added += 1
        for number in range(case_study_count):
            case_study = CaseStudyPage(
                title=f"{writer.title()} {number}",
                slug=f"case-study-{number}",
                summary=writer.sentence(),
                publication_date=writer_date(writer),
                author=writer.random.choice(people),
                body=writer.body(people, images, link_pages + programmes[:20]),
                related_programme=writer.random.choice(programmes) if programmes else None,
            )
            publish(case_study_index, case_study)
            case_study.topics.add(*writer.random.sample(TOPICS, 2))
            case_study.save()
            added += 1
            if stdout and added % 1000 == 0:
                stdout.write(f"{added} pages…")
    return added


def writer_date(writer):
    return timezone.datetime(2015, 1, 1).date() + timezone.timedelta(days=writer.random.randrange(3650))
