"""The story's language: identified from its text, compared with what the page declares.

Snippets are hand-written sentences whose language is known; the pages run through the real
extractor (trafilatura included). The development pages' test compares the identification with
the pages' own declarations (some of which are wrong: they are listed when the test runs with -rA).
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import pytest

from bench.evaldata import EVAL_DIR
from euspider import language
from euspider.extract import ArticleExtractor

# one news sentence in each language, written for this test
SNIPPETS = {
    "en": "The European Commission proposed on Tuesday to tighten the rules on state aid for energy companies, after months of talks with national governments.",
    "de": "Die Europäische Kommission hat am Dienstag vorgeschlagen, die Regeln für staatliche Beihilfen an Energieunternehmen nach monatelangen Gesprächen zu verschärfen.",
    "fr": "La Commission européenne a proposé mardi de durcir les règles sur les aides d’État aux entreprises énergétiques, après des mois de discussions avec les gouvernements.",
    "es": "La Comisión Europea propuso el martes endurecer las normas sobre ayudas estatales a las empresas energéticas, tras meses de conversaciones con los gobiernos.",
    "it": "La Commissione europea ha proposto martedì di inasprire le norme sugli aiuti di Stato alle imprese energetiche, dopo mesi di colloqui con i governi nazionali.",
    "pl": "Komisja Europejska zaproponowała we wtorek zaostrzenie zasad pomocy publicznej dla firm energetycznych po miesiącach rozmów z rządami krajowymi.",
    "nl": "De Europese Commissie heeft dinsdag voorgesteld de regels voor staatssteun aan energiebedrijven aan te scherpen, na maanden van overleg met de nationale regeringen.",
    "pt": "A Comissão Europeia propôs na terça-feira endurecer as regras sobre auxílios estatais às empresas de energia, após meses de conversações com os governos nacionais.",
    "el": "Η Ευρωπαϊκή Επιτροπή πρότεινε την Τρίτη να αυστηροποιηθούν οι κανόνες για τις κρατικές ενισχύσεις προς τις ενεργειακές εταιρείες, μετά από μήνες συνομιλιών.",
    "bg": "Европейската комисия предложи във вторник да се затегнат правилата за държавна помощ за енергийните дружества след месеци на разговори с националните правителства.",
    "ru": "Европейская комиссия во вторник предложила ужесточить правила государственной помощи энергетическим компаниям после нескольких месяцев переговоров с правительствами.",
    "uk": "Європейська комісія у вівторок запропонувала посилити правила державної допомоги енергетичним компаніям після місяців переговорів з національними урядами.",
    "sv": "EU-kommissionen föreslog på tisdagen att reglerna för statligt stöd till energiföretag ska skärpas, efter månader av samtal med de nationella regeringarna.",
    "fi": "Euroopan komissio ehdotti tiistaina, että energiayhtiöille myönnettävää valtiontukea koskevia sääntöjä kiristetään kuukausia kestäneiden neuvottelujen jälkeen.",
    "cs": "Evropská komise v úterý navrhla zpřísnit pravidla pro státní podporu energetických společností po měsících jednání s národními vládami.",
    "hu": "Az Európai Bizottság kedden javasolta, hogy szigorítsák az energiavállalatoknak nyújtott állami támogatások szabályait, miután hónapokig tárgyalt a nemzeti kormányokkal.",
    "ro": "Comisia Europeană a propus marți înăsprirea normelor privind ajutoarele de stat pentru companiile energetice, după luni de discuții cu guvernele naționale.",
    "tr": "Avrupa Komisyonu salı günü, ulusal hükümetlerle aylarca süren görüşmelerin ardından enerji şirketlerine yönelik devlet yardımı kurallarını sıkılaştırmayı önerdi.",
    "ja": "欧州委員会は火曜日、各国政府との数か月にわたる協議を経て、エネルギー企業への国家補助に関する規則を厳格化することを提案した。",
    "zh": "欧盟委员会周二提议收紧对能源公司国家援助的规定，此前与各国政府进行了数月的谈判。",
    "ar": "اقترحت المفوضية الأوروبية يوم الثلاثاء تشديد القواعد المتعلقة بمساعدات الدولة لشركات الطاقة بعد أشهر من المحادثات مع الحكومات الوطنية.",
}
CROATIAN = "Europska komisija u utorak je predložila pooštravanje pravila o državnim potporama energetskim tvrtkama nakon višemjesečnih razgovora s nacionalnim vladama."


@pytest.mark.parametrize("code", sorted(SNIPPETS))
def test_an_undeclared_page_gets_the_language_of_its_text(code):
    found = language.identify(SNIPPETS[code], None)
    assert (found.language, found.source, found.declared) == (code, "detected", None)
    assert found.confidence is not None and found.confidence >= language.MIN_CONFIDENCE


@pytest.mark.parametrize(
    ("declared", "text", "expected"),
    [
        # (language, language_declared, language_source)
        ("de", SNIPPETS["de"], ("de", "de", "agree")),
        ("EN", SNIPPETS["en"], ("en", "en", "agree")),
        ("deu", SNIPPETS["de"], ("de", "de", "agree")),  # an ISO 639-2 code, as some sites declare
        ("en", SNIPPETS["de"], ("de", "en", "conflict")),  # a site default the story contradicts
        ("fr", SNIPPETS["en"], ("en", "fr", "conflict")),
        ("hr", CROATIAN, ("hr", "hr", "agree")),  # identified as Bosnian: a language it cannot tell from Croatian
        ("nb", "Regjeringen la fram statsbudsjettet for neste år på tirsdag, med økte bevilgninger til forsvaret og helsevesenet.", ("nb", "nb", "agree")),
        ("fr", "OK merci", ("fr", "fr", "markup")),  # too short to contradict anything
        ("pap", SNIPPETS["es"], ("pap", "pap", "markup")),  # Papiamento: unknown to the identifier, never overruled
        ("es", "2023-02-04 12:00 | 1 234 567 € | +32 2 555 01 23", ("es", "es", "markup")),  # nothing to identify
    ],
    ids=["agree", "upper-case", "iso-639-2", "en-page-german-text", "fr-page-english-text", "close-languages",
         "macro-language", "short-text", "unknown-to-identifier", "no-letters"],
)  # fmt: skip
def test_declared_and_identified_language(declared, text, expected):
    found = language.identify(text, declared)
    assert (found.language, found.declared, found.source) == expected


def test_neither_declared_nor_identifiable():
    found = language.identify("ok", None)
    assert found.language is None and found.source is None
    assert language.identify("12 345 / 678", None).detected is None


def _page(lang_attr: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<!DOCTYPE html><html{lang_attr}><head><title>Energiepolitik</title></head><body><article><h1>Energiepolitik</h1>{body}</article></body></html>"


GERMAN_STORY = [
    "Die Europäische Kommission hat am Dienstag vorgeschlagen, die Regeln für staatliche Beihilfen an Energieunternehmen zu verschärfen.",
    "Nach monatelangen Gesprächen mit den nationalen Regierungen sollen Unternehmen künftig nachweisen, dass die Hilfen den Wettbewerb nicht verzerren.",
    "Mehrere Mitgliedstaaten hatten zuvor gewarnt, dass strengere Regeln die Energiewende verlangsamen könnten.",
]


@pytest.mark.parametrize(
    ("lang_attr", "expected"),
    [
        (' lang="en"', {"language": "de", "language_declared": "en", "language_detected": "de", "language_source": "conflict"}),
        (' lang="de-DE"', {"language": "de", "language_declared": "de", "language_detected": "de", "language_source": "agree"}),
        ("", {"language": "de", "language_declared": None, "language_detected": "de", "language_source": "detected"}),
    ],
    ids=["declares-en-german-text", "declares-de", "declares-nothing"],
)  # fmt: skip
def test_extracted_record_carries_both_languages(extractor: ArticleExtractor, lang_attr, expected):
    outcome = extractor.extract(
        _page(lang_attr, GERMAN_STORY), "https://news.example/politik/1", crawled_at="2024-05-01T08:00:00Z"
    )
    assert outcome.record is not None, outcome.detail
    assert {k: outcome.record[k] for k in expected} == expected
    assert 0.95 <= outcome.record["language_confidence"] <= 1


# --- development pages (real pages from many sites; not in every checkout) -------------------------


def _extract_page(args: tuple[str, str]) -> tuple[str | None, str | None, str | None]:
    html, url = args
    record = _extract_page.extractor.extract(html, url, crawled_at="2030-01-01T00:00:00Z").record  # type: ignore[attr-defined]
    if record is None:
        return None, None, None
    return record["language_declared"], record["language_detected"], record["language_source"]


def _init_worker() -> None:
    _extract_page.extractor = ArticleExtractor()  # type: ignore[attr-defined]


@pytest.mark.skipif(
    not (EVAL_DIR / "trafeval" / "manifest.jsonl").is_file(),
    reason=f"the development pages are not in this checkout ({EVAL_DIR}/trafeval; set EUSPIDER_EVAL_DIR)",
)
def test_dev_pages_identified_language_agrees_with_the_declared_one():
    from bench.evaldata import trafeval_pages

    pages = trafeval_pages()
    jobs = [(p.html(), p.url or f"https://unknown.invalid/{p.id}") for p in pages]
    workers = min(2, os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        results = list(pool.map(_extract_page, jobs, chunksize=8))
    declared = [(p, r) for p, r in zip(pages, results, strict=True) if r[0] is not None]
    disagree = [(p.id, p.url, r) for p, r in declared if r[2] != "agree"]
    share = 1 - len(disagree) / len(declared)
    report = "\n".join(f"  {i} {url or '(no url)'}: declared {d}, text {t} ({s})" for i, url, (d, t, s) in disagree)
    print(f"\n{len(declared)} dev pages declare a language; {share:.1%} agree; disagreements:\n{report}")
    assert len(declared) >= 250
    assert share >= 0.97, report
