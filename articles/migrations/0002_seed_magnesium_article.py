"""Load the client's article "Magnesium Glycinate for Sleep", word for word.

The text is the client's (shared/seed/magnesium-glycinate-for-sleep.txt; a copy is kept in
tests/data/ and tests compare the public page with it paragraph by paragraph). Headings keep
the client's trailing colons. It cites no sources; no references are invented here.
"""

from django.db import migrations
from django.utils import timezone
from django.utils.text import slugify

from articles.rendering import render_markdown

SUPPLEMENT = {"name": "Magnesium glycinate", "slug": "magnesium-glycinate"}

ARTICLE = {
    "title": "Magnesium Glycinate for Sleep",
    "slug": "magnesium-glycinate-for-sleep",
    "subtitle": "Enhancing Sleep Quality",
    # The meta description: the client's own first sentence.
    "summary": "Magnesium glycinate capsules have garnered attention as a potential aid for improving sleep quality and addressing sleep-related issues.",
    "intro": (
        "## Magnesium Glycinate Capsules\n\n"
        "Magnesium glycinate capsules have garnered attention as a potential aid for improving sleep quality and addressing sleep-related issues. Magnesium, an essential mineral involved in various physiological processes, plays a crucial role in promoting relaxation and facilitating restful sleep. Magnesium glycinate, a highly bioavailable form of magnesium, offers several mechanisms through which it can support healthy sleep patterns."
    ),
    "conclusion": (
        "In conclusion, magnesium glycinate capsules offer a natural and effective solution for enhancing sleep quality and promoting restorative sleep. By supporting relaxation, modulating neurotransmitter activity, and regulating muscle function, magnesium glycinate addresses multiple facets of sleep physiology, making it a valuable addition to sleep-promoting regimens. Incorporating magnesium glycinate supplementation into a comprehensive sleep hygiene routine may help individuals achieve deeper, more restful sleep and wake up feeling refreshed and rejuvenated each morning."
    ),
}

SECTIONS = [
    (
        "Relaxation and Stress Reduction:",
        "Magnesium is known to exert calming effects on the nervous system by regulating neurotransmitters and modulating the activity of the parasympathetic nervous system. As a result, magnesium helps reduce stress and anxiety levels, promoting a state of relaxation conducive to falling asleep.",
    ),
    (
        "Regulation of GABA Receptors:",
        "GABA (gamma-aminobutyric acid) is an inhibitory neurotransmitter that helps quiet neural activity and induce feelings of relaxation. Magnesium glycinate has been shown to enhance GABA receptor function, leading to increased GABA activity in the brain. This effect can contribute to the soothing and sedative properties of magnesium, helping individuals unwind and prepare for sleep.",
    ),
    (
        "Muscle Relaxation:",
        "Magnesium plays a crucial role in regulating muscle function and reducing muscle tension. By facilitating the relaxation of skeletal muscles, magnesium glycinate can alleviate physical discomfort and promote a sense of ease, making it easier to achieve and maintain sleep throughout the night.",
    ),
    (
        "Regulation of Circadian Rhythms:",
        "Magnesium is involved in the regulation of circadian rhythms, the internal biological clock that governs sleep-wake cycles. Adequate magnesium levels help synchronize the body's internal clock with external cues such as light and darkness, promoting the onset of sleep at the appropriate time and enhancing sleep quality.",
    ),
    (
        "Improvement of Sleep Architecture:",
        "Research suggests that magnesium supplementation, particularly in the form of magnesium glycinate, may improve sleep architecture by prolonging the duration of slow-wave sleep (deep sleep) and REM (rapid eye movement) sleep cycles. Deep sleep stages are essential for physical restoration and cognitive functioning, while REM sleep is associated with memory consolidation and emotional processing.",
    ),
    (
        "Reduction of Insomnia Symptoms:",
        "Individuals experiencing insomnia or sleep disturbances may benefit from magnesium glycinate supplementation due to its potential to address underlying factors contributing to sleep difficulties. By promoting relaxation, reducing stress, and supporting neurotransmitter balance, magnesium glycinate capsules can help alleviate insomnia symptoms and improve overall sleep quality.",
    ),
]


def load_seed_article(apps, schema_editor):
    # Historical models have no custom save(), so the HTML is rendered here.
    Supplement = apps.get_model("articles", "Supplement")
    Article = apps.get_model("articles", "Article")
    Section = apps.get_model("articles", "Section")
    if Article.objects.filter(slug=ARTICLE["slug"]).exists():
        return
    supplement, _ = Supplement.objects.get_or_create(
        slug=SUPPLEMENT["slug"], defaults={"name": SUPPLEMENT["name"]}
    )
    now = timezone.now()
    article = Article.objects.create(
        **ARTICLE,
        intro_html=render_markdown(ARTICLE["intro"]),
        conclusion_html=render_markdown(ARTICLE["conclusion"]),
        status="published",
        published_at=now,
    )
    article.supplements.add(supplement)
    for position, (heading, body) in enumerate(SECTIONS, start=1):
        Section.objects.create(
            article=article,
            position=position,
            heading=heading,
            anchor=slugify(heading),
            body=body,
            body_html=render_markdown(body),
        )


def remove_seed_article(apps, schema_editor):
    apps.get_model("articles", "Article").objects.filter(slug=ARTICLE["slug"]).delete()


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(load_seed_article, remove_seed_article)]
