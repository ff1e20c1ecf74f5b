"""The explorer in a real browser: Debian's chromium driven by playwright against `guideline-kg
serve` on a free loopback port over the shipped graph.

Search as you type ("flexeril" finds cyclobenzaprine), MTUS, ACOEM and ODG side by side with their
citations, "Copy citation" onto the clipboard, the governing document changing with the date (CPMTG
2009 -> CPMTG 2016 on 2016-07-28 -> the ACOEM guidelines on 2017-12-01), the Norco task from the
landing page, a section and the neighbourhood picture, a pasted letter read and audited; no console
errors and no Content-Security-Policy violations anywhere. Screenshots go to test-artifacts/.

Expected answers are asked of the same server's GraphQL API, so the tests check the page shows what
the API answers, plus the few facts of the shipped graph the explorer exists to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loadtest.server import Server

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
LETTERS = Path(__file__).resolve().parent / "data" / "letters"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


MISSING = _missing()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=MISSING or "")]

# Filled in by the page: CSP violations the browser reports to the document.
CSP_PROBE = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"""

COMPARE = """query($t: ID!, $d: Date!, $c: String) { compare(treatment: $t, asOf: $d, condition: $c) {
  governing { text mtus confidence guidelineDocument { id family } }
  guidance { source governs citation { text } } } }"""
AUDIT = """query($text: String!) { auditLetter(text: $text) { __typename
  ... on LetterAudit { reading { items { decision } } findings { item kind severity message } } } }"""


# ------------------------------------------------------------------ the server


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`guideline-kg serve` over the shipped graph, with a private cache folder."""
    folder = tmp_path_factory.mktemp("explorer-server")
    env = {
        "GUIDELINE_KG_DATA_DIR": "",
        "GUIDELINE_KG_ONTOLOGY_DIR": "",  # empty: the shipped graph
        "GUIDELINE_KG_CACHE_DIR": str(folder / "cache"),
    }
    with Server(env=env, log=folder / "serve.log", cwd=folder) as server:
        yield server.base


def api(base: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, timeout=30
    )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.json()["data"]


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


class Console:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Any, base: str, console: Console) -> Iterator[Any]:
    """A fresh context (clipboard allowed) whose console errors, page errors, CSP violations and
    requests to other origins fail the test."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        base_url=base,
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_PROBE)
    tab = context.new_page()
    tab.on(
        "console",
        lambda m: (
            console.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda e: console.errors.append(f"pageerror: {e}"))
    tab.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(base) or r.url.startswith("data:")
            else console.foreign.append(r.url)
        ),
    )
    try:
        yield tab
        violations = tab.evaluate("window.__cspViolations || []")
        assert violations == [], f"Content-Security-Policy violations: {violations}"
        assert console.errors == [], console.errors
        assert console.foreign == [], f"requests to other origins: {console.foreign}"
    finally:
        context.close()


def ready(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#main")).to_have_attribute("data-state", "ready")


def set_date(page: Any, value: str) -> None:
    page.get_by_label("As of", exact=True).fill(value)
    page.wait_for_function("(d) => location.hash.includes(`asOf=${d}`)", arg=value)
    ready(page)


# ------------------------------------------------------------------ the tests


def test_flexeril_opens_cyclobenzaprine_side_by_side_and_copies_the_citation(
    page: Any, base: str
) -> None:
    from playwright.sync_api import expect

    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(
        page.get_by_role("heading", name="Find the guideline that governs a service")
    ).to_be_visible()
    search = page.get_by_role("combobox", name="Search guidelines")
    expect(search).to_have_attribute("type", "search")
    search.press_sequentially("flexeril", delay=15)
    option = page.get_by_role("option", name=re.compile(r"^cyclobenzaprine"))
    expect(option).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    search.press("ArrowDown")  # the keyboard picks the first result ...
    expect(option).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-activedescendant", re.compile(r"search-option-0"))
    search.press("Enter")  # ... and opens it
    expect(page).to_have_url(re.compile(r"#/treatment/tx:cyclobenzaprine\?asOf="))
    expect(page.get_by_role("heading", level=1, name="cyclobenzaprine")).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "false")

    set_date(page, "2022-06-01")
    expected = api(base, COMPARE, t="tx:cyclobenzaprine", d="2022-06-01")["compare"]
    for guidance in expected["guidance"]:
        column = page.locator(f".col[data-source={guidance['source']}]")
        expect(  # named for what it is on the date: MTUS, or ACOEM/ODG in or outside the MTUS
            column.get_by_role("heading", level=3, name=re.compile(f"^{guidance['source']}"))
        ).to_be_visible()
        assert guidance["citation"], (
            f"the shipped graph has no {guidance['source']} guidance for cyclobenzaprine"
        )
        expect(column.locator(".cite-text")).to_have_text(guidance["citation"]["text"])
        expect(column.get_by_role("button", name="Copy citation")).to_be_visible()
        expect(column.locator(".badge").first).to_have_text(
            "MTUS" if guidance["citation"]["text"].startswith("MTUS") else "Non-MTUS"
        )
        if guidance["governs"]:
            expect(column).to_have_class(re.compile(r"\bcol-governs\b"))
            expect(column.locator(".badge-governs")).to_have_text("Governs")
    expect(page.locator(".col-governs")).to_have_count(1)

    governing = page.locator("section.governs")
    expect(governing.locator(".cite-text")).to_have_text(expected["governing"]["text"])
    expect(governing.locator(".why")).to_contain_text("The MTUS is searched first")
    # how sure the citation is, in plain words, beside the citation to copy (issue 14)
    expect(governing.locator(".cite-confidence")).to_contain_text(
        expected["governing"]["confidence"]
    )
    governing.get_by_text("How the search sequence was applied").click()
    expect(governing.locator(".trace li").first).to_be_visible()
    copy = governing.locator("button.copy")  # by class: its name changes to "Copied"
    expect(copy).to_have_accessible_name("Copy citation")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == expected["governing"]["text"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)


@pytest.mark.parametrize("treatment", ["tx:cyclobenzaprine"])
def test_the_date_changes_which_document_is_mtus(page: Any, base: str, treatment: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"/#/treatment/{treatment}?asOf=2014-06-01")
    ready(page)
    governing = page.locator("section.governs")
    seen = []
    for day, document in [
        ("2014-06-01", "doc:cpmtg-2009"),
        ("2016-07-27", "doc:cpmtg-2009"),
        ("2016-07-28", "doc:cpmtg-2016"),
        ("2017-01-15", "doc:cpmtg-2016"),
        ("2017-11-30", "doc:cpmtg-2016"),
        ("2017-12-01", "doc:acoem-"),
        ("2022-06-01", "doc:acoem-"),
    ]:
        if day != "2014-06-01":
            set_date(page, day)
        expected = api(base, COMPARE, t=treatment, d=day)["compare"]["governing"]
        assert expected["guidelineDocument"]["id"].startswith(document), (day, expected)
        expect(governing).to_have_attribute("data-document", expected["guidelineDocument"]["id"])
        expect(governing.locator(".cite-text")).to_have_text(expected["text"])
        expect(governing.locator("h2")).to_contain_text(day)
        expect(governing.locator(".mtus-doc")).to_contain_text("MTUS document on this date")
        assert f"asOf={day}" in page.url  # the address carries the date: the view can be shared
        seen.append(expected["guidelineDocument"]["id"])
    assert seen[0] != seen[2] != seen[5], (
        seen
    )  # CPMTG 2009, then CPMTG 2016, then an ACOEM guideline
    expect(governing.locator(".mtus-doc")).to_contain_text("ACOEM")


def test_norco_for_chronic_low_back_pain_from_the_landing_page(
    page: Any, base: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    search = page.get_by_role("combobox", name="Search guidelines")
    search.press_sequentially("Norco 10/325 #60", delay=10)
    expect(
        page.get_by_role("option", name=re.compile(r"hydrocodone.acetaminophen"))
    ).to_be_visible()
    search.press("Enter")
    expect(page.get_by_role("heading", level=1, name="hydrocodone/acetaminophen")).to_be_visible()
    set_date(page, "2017-01-15")
    dx = page.get_by_label("Diagnosis (optional)")
    dx.fill("low back pain")
    dx.press("Enter")
    page.wait_for_function("() => location.hash.includes('dx=low')")
    ready(page)
    expected = api(
        base, COMPARE, t="tx:hydrocodone-acetaminophen", d="2017-01-15", c="low back pain"
    )["compare"]
    governing = page.locator("section.governs")
    expect(governing.locator(".cite-text")).to_have_text(expected["governing"]["text"])
    assert expected["governing"]["mtus"]
    expect(governing.locator(".badge-mtus").first).to_be_visible()

    shared = page.url  # the same answer from the address alone, in a fresh page
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        fresh = other.new_page()
        fresh.goto(shared)
        expect(fresh.locator("section.governs .cite-text")).to_have_text(
            expected["governing"]["text"], timeout=TIMEOUT_MS
        )
        expect(fresh.get_by_label("As of", exact=True)).to_have_value("2017-01-15")
        expect(fresh.get_by_label("Diagnosis (optional)")).to_have_value("low back pain")
    finally:
        other.close()


def test_a_section_and_the_neighbourhood_picture(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/#/treatment/tx:cyclobenzaprine?asOf=2014-06-01")
    ready(page)
    picture = page.locator("svg.graph")
    expect(picture).to_be_visible()
    assert picture.locator("a.g-node").count() >= 4
    expect(picture.locator("a.g-center")).to_have_attribute("data-id", "tx:cyclobenzaprine")
    assert picture.locator("path.g-edge").count() >= 3

    page.locator(".col[data-source=MTUS]").get_by_role(
        "link", name="Cyclobenzaprine (Flexeril)"
    ).click()
    expect(page).to_have_url(
        re.compile(r"#/section/sec:cpmtg-2009-cyclobenzaprine\?asOf=2014-06-01")
    )
    expect(page.get_by_role("heading", level=1, name="Cyclobenzaprine (Flexeril)")).to_be_visible()
    view = page.locator("#main")
    expect(
        view.get_by_role("link", name="Chronic Pain Medical Treatment Guidelines (2009)").first
    ).to_be_visible()
    expect(view).to_contain_text("pp. 41-42")
    expect(view.locator("table").first).to_contain_text(
        "2009-07-18"
    )  # effective dates of the adoption
    expect(view.locator(".criterion").first).to_contain_text("2-3 weeks")
    expect(view.locator(".cnum").first).to_have_text("≤ 3 wk")
    expect(view.get_by_role("heading", name="Source and confidence")).to_be_visible()
    expect(
        view.get_by_role("link", name="cyclobenzaprine", exact=True)
    ).to_be_visible()  # what it addresses

    # a node of the picture opens its document
    page.locator("svg.graph a.g-document[data-id='doc:cpmtg-2009']").click()
    expect(page).to_have_url(re.compile(r"#/document/doc:cpmtg-2009"))
    title = "Chronic Pain Medical Treatment Guidelines (2009)"
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator("#main")).to_contain_text("Cyclobenzaprine (Flexeril)")

    page.go_back()
    ready(page)
    page.locator("svg.graph a.g-node[data-id='tx:cyclobenzaprine']").focus()
    page.keyboard.press("Enter")  # the picture works from the keyboard too
    expect(page).to_have_url(re.compile(r"#/treatment/tx:cyclobenzaprine"))


def test_a_pasted_letter_is_read_and_audited(page: Any, base: str) -> None:
    from playwright.sync_api import expect

    text = (LETTERS / "synthetic-2014-pages.txt").read_text(encoding="utf-8")
    expected = api(base, AUDIT, text=text)["auditLetter"]
    page.goto("/#/letter")
    ready(page)
    page.get_by_label("Determination letter text").fill(text)
    page.get_by_role("button", name="Read and audit").click()
    results = page.locator("#letter-results")
    expect(results).to_have_attribute("data-state", "ready")
    items = results.locator("li.item")
    expect(items).to_have_count(len(expected["reading"]["items"]))
    for item, reading in zip(items.all(), expected["reading"]["items"], strict=True):
        expect(item.locator(".decision")).to_contain_text(reading["decision"])
    expect(results.locator("li.finding")).to_have_count(len(expected["findings"]))
    for finding in expected["findings"]:
        expect(results.locator(f"li.finding[data-kind={finding['kind']}]").first).to_contain_text(
            finding["message"]
        )
    mislabel = results.locator(
        "li.finding[data-kind=mtus_label]"
    )  # ACOEM 2004 Ch. 9 cited as non-MTUS in 2013
    expect(mislabel.locator(".badge-error")).to_have_text("error")
    expect(items.nth(1).locator(".cite-group").first).to_contain_text("ACOEM")
    assert (
        "Chapter" not in page.url and "letter" in page.url
    )  # the letter never goes into the address
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "explorer-letter.png"), full_page=True)

    page.get_by_label("Determination letter text").fill("This is not a determination letter.")
    page.get_by_role("button", name="Read and audit").click()
    expect(results.get_by_role("alert")).to_contain_text("could not be read")


def test_the_page_loads_every_module_of_the_explorer_as_javascript(page: Any) -> None:
    """index.html loads one entry module that imports the rest: each file of explorer/*.js is
    fetched, as JavaScript (a module of another type is refused under nosniff), and none is left
    unused. The modules stay in explorer/ itself, the folder the package data "explorer/*" ships."""
    explorer = ROOT / "graphql_api" / "explorer"
    scripts: dict[str, Any] = {}
    page.on(
        "response",
        lambda r: scripts.setdefault(r.url, r) if r.request.resource_type == "script" else None,
    )
    page.goto("/")
    ready(page)
    assert [p.name for p in explorer.iterdir() if p.is_dir()] == []
    assert {url.rsplit("/", 1)[1] for url in scripts} == {p.name for p in explorer.glob("*.js")}
    for url, response in scripts.items():
        assert response.status == 200, url
        assert response.headers["content-type"].startswith("text/javascript"), (
            url,
            response.headers,
        )


def test_graphiql_works_with_every_other_host_blocked(browser: Any, base: str) -> None:
    """Offline, or behind a proxy that lets nothing out: every request the page makes to a host
    other than this server is aborted, and GraphiQL still loads, runs a query and shows the
    answer."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_PROBE)
    blocked: list[str] = []
    errors: list[str] = []

    def only_this_server(route: Any) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", only_this_server)
    try:
        tab = context.new_page()
        tab.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        query = '{ treatment(id: "tx:cyclobenzaprine") { label brandNames } }'
        response = tab.goto(f"/graphql?q={query}")
        assert "script-src 'self';" in response.headers["content-security-policy"]
        editor = tab.locator(".graphiql-query-editor .CodeMirror")
        expect(editor).to_be_visible()
        expect(editor).to_contain_text("cyclobenzaprine")
        tab.get_by_role("button", name=re.compile("Execute query")).click()
        result = tab.locator(".graphiql-response .CodeMirror")
        expect(result).to_contain_text('"label": "cyclobenzaprine"')
        expect(result).to_contain_text("Flexeril")
        tab.get_by_role("button", name=re.compile("documentation explorer", re.I)).click()
        expect(tab.locator(".graphiql-doc-explorer")).to_contain_text("Query")  # the schema loaded
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "graphiql.png"))
        assert tab.evaluate("window.__cspViolations") == []
        assert blocked == [], f"GraphiQL asked other hosts: {blocked}"
        assert errors == [], errors
    finally:
        context.close()


# Raw vocabulary a reviewer must never read (issue 17): enum values, class names of the ontology,
# field names, and the jargon the explorer used to print.
# Read from the DOM's text (before CSS upper-cases a few labels), one element's text per line.
RAW = re.compile(
    r"\b[A-Z]+_[A-Z_]+\b|compoundedproduct|servicecategory|drugclass|homecare|lowback"
    r"|forearmwristhand|anklefoot|hippelvis|thoracicspine|\b[a-z]+_[a-z_]+\b|cited by|decided by"
    r"|^label$|· step \d|mtus mtus",
    re.MULTILINE | re.IGNORECASE,
)
TEXTS = """() => { const out = []; const walk = document.createTreeWalker(document.querySelector('#main'),
  NodeFilter.SHOW_TEXT); while (walk.nextNode()) { const t = walk.currentNode.textContent.trim();
  if (t) out.push(t); } return out.join('\\n'); }"""


def raw_words(page: Any) -> list[str]:
    text = page.evaluate(TEXTS)
    inner = page.locator("#main").inner_text()  # what the eye reads, spacing included
    return sorted({m.group(0) for m in RAW.finditer(text)} | set(re.findall("MTUS MTUS", inner)))


@pytest.mark.parametrize(
    "address",
    [
        "#/treatment/tx:cyclobenzaprine?asOf=2022-06-01",
        "#/treatment/tx:cyclobenzaprine?asOf=2014-06-01&dx=low%20back%20pain",
        "#/treatment/tx:diclofenac-misoprostol?asOf=2019-06-01",  # a compounded product
        "#/treatment/tx:physical-therapy?asOf=2013-12-10&dx=M54.50",
    ],
)
def test_the_treatment_page_reads_in_plain_words(page: Any, address: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"/{address}")
    ready(page)
    expect(page.locator("section.governs")).to_be_visible()
    assert raw_words(page) == []
    for box in page.locator(".citation").all():  # how sure the graph is, beside every citation
        expect(box.locator(".cite-confidence")).to_contain_text("How sure the graph is")


def test_the_letter_page_reads_in_plain_words(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/#/letter")
    ready(page)
    for name in ("synthetic-2014-pages.txt", "synthetic-2016-sections.txt"):
        page.get_by_label("Determination letter text").fill(
            (LETTERS / name).read_text(encoding="utf-8")
        )
        page.get_by_role("button", name="Read and audit").click()
        expect(page.locator("#letter-results")).to_have_attribute("data-state", "ready")
        assert raw_words(page) == [], name


def test_the_governing_box_says_why_one_mtus_guideline_governs_another(
    page: Any, base: str
) -> None:
    """After 2017-12-01 both columns can be MTUS and disagree (cyclobenzaprine in 2022): one sentence
    names the phase, the region and the rule, and the columns say what they are on the date."""
    from playwright.sync_api import expect

    day = "2022-06-01"
    expected = api(base, COMPARE, t="tx:cyclobenzaprine", d=day)["compare"]
    mtus, acoem = expected["guidance"][0], expected["guidance"][1]
    assert mtus["governs"] and acoem["citation"]["text"].startswith("MTUS"), expected
    page.goto(f"/#/treatment/tx:cyclobenzaprine?asOf={day}")
    ready(page)
    sentence = page.locator("section.governs .why-two-mtus")
    expect(sentence).to_have_count(1)
    expect(sentence).to_contain_text(f"part of the MTUS on {day}")
    expect(sentence).to_contain_text("they disagree")  # not recommended beside with conditions
    expect(sentence).to_contain_text("Chronic Pain (2017) governs because")
    expect(sentence).to_contain_text("chronic")  # the phase
    expect(sentence).to_contain_text("no diagnosis places the request in one body region")
    expect(sentence).to_contain_text("Low Back Disorders")
    expect(page.locator(".col[data-source=ACOEM] h3")).to_have_text("ACOEM: another MTUS guideline")
    expect(page.locator(".col[data-source=ODG] h3")).to_have_text("ODG: outside the MTUS")

    dx = page.get_by_label("Diagnosis (optional)")  # a low back diagnosis: the region decides
    dx.fill("M54.50")
    dx.press("Enter")
    page.wait_for_function("() => location.hash.includes('dx=M54.50')")
    ready(page)
    with_dx = api(base, COMPARE, t="tx:cyclobenzaprine", d=day, c="M54.50")["compare"]
    assert "Low Back" in with_dx["governing"]["text"], with_dx["governing"]
    expect(sentence).to_contain_text(
        "Low Back Disorders (2020) governs because the diagnosis M54.50"
    )
    expect(sentence).to_contain_text("low back")


# (heading, edition box, section box) of each row, in the order the picture draws them
ROWS = """() => { const rows = []; let head = null;
  for (const el of document.querySelectorAll('svg.graph text.g-series, svg.graph a.g-node')) {
    if (el.matches('text.g-series')) head = el.textContent;
    else if (el.matches('a.g-document')) rows.push([head, el.textContent]);
    else if (el.matches('a.g-section')) {
      const last = rows[rows.length - 1];
      if (last.length === 3) rows.push([head, last[1], el.textContent]);  // the same edition
      else last.push(el.textContent); } }
  return rows; }"""


def test_the_picture_groups_editions_by_guideline_and_says_when(page: Any, base: str) -> None:
    picture_query = """query($id: ID!) { neighbourhood(id: $id) { nodes { id label kind } } }"""
    nodes = api(base, picture_query, id="tx:cyclobenzaprine")["neighbourhood"]["nodes"]
    sections = [n for n in nodes if n["kind"] == "SECTION"]
    documents = [n for n in nodes if n["kind"] == "DOCUMENT"]
    page.goto("/#/treatment/tx:cyclobenzaprine?asOf=2022-06-01")
    ready(page)
    picture = page.locator("svg.graph")
    # one row per section, each with its document's box: no document drawn twice
    assert picture.locator("a.g-section").count() == len(sections)
    drawn = [a.get_attribute("data-id") for a in picture.locator("a.g-document").all()]
    assert sorted(drawn) == sorted(d["id"] for d in documents)
    # editions of one guideline under one heading; a title shared by the editions said once there
    headings = [t.text_content() for t in picture.locator("text.g-series").all()]
    assert len(headings) == len(set(headings)) and len(headings) < len(sections)
    assert any("Low Back Disorders Guideline" in t for t in headings), headings
    rows = [t.text_content() for t in picture.locator("a.g-section text").all()]
    # under a heading, the rows differ (the edition and its dates), so no box repeats another
    drawn_rows = page.evaluate(ROWS)
    assert len(drawn_rows) == len(sections)
    assert len({tuple(r) for r in drawn_rows}) == len(drawn_rows), drawn_rows
    assert not any("…" in t for t in headings + rows + drawn)
    assert all("MTUS" in r for r in rows), rows  # each row says when it is (or is not) the MTUS
    now = picture.locator("a.g-now")
    assert now.count() >= 1
    assert all("in force on 2022-06-01" in t for t in now.locator("text").all_text_contents())
    assert picture.locator("a.g-center").get_attribute("data-id") == "tx:cyclobenzaprine"


def test_the_search_box_follows_the_page_after_navigation(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    ready(page)
    search = page.get_by_role("combobox", name="Search guidelines")
    search.press_sequentially("flexeril", delay=10)
    expect(page.get_by_role("option", name=re.compile(r"^cyclobenzaprine"))).to_be_visible()
    search.press("Enter")
    expect(page.get_by_role("heading", level=1, name="cyclobenzaprine")).to_be_visible()
    page.locator("#main h1").click()  # the focus leaves the box
    expect(search).to_have_value("cyclobenzaprine")
    page.evaluate("location.hash = '#/treatment/tx:hydrocodone-acetaminophen?asOf=2017-01-15'")
    expect(page.get_by_role("heading", level=1, name="hydrocodone/acetaminophen")).to_be_visible()
    expect(search).to_have_value("hydrocodone/acetaminophen")  # by the address
    page.go_back()
    expect(page.get_by_role("heading", level=1, name="cyclobenzaprine")).to_be_visible()
    expect(search).to_have_value("cyclobenzaprine")  # by the history
    page.goto("/#/letter")
    ready(page)
    expect(search).to_have_value("")
    expect(page.get_by_label("Diagnosis (optional)")).to_have_attribute(
        "placeholder", re.compile(r"M54\.50|M54\.16")
    )  # M54.5 was retired on 2021-10-01


DEV_PDFS = ROOT.parent / "shared" / "fixtures" / "letters" / "dev-pdf"
TEST_PDFS = Path(__file__).resolve().parent / "data" / "letter-pdfs"
DROP = """async ([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: 'application/pdf' }));
  const zone = document.querySelector('#letter-drop');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  } }"""


@pytest.mark.skipif(not DEV_PDFS.is_dir(), reason=f"the shared dev PDFs ({DEV_PDFS}) are absent")
def test_a_dev_pdf_chosen_with_the_file_picker_is_read_and_audited(page: Any) -> None:
    from playwright.sync_api import expect

    from kg.letters.reader import read_letter_file

    pdf = sorted(DEV_PDFS.glob("*.pdf"))[0]
    reading = read_letter_file(pdf)  # what `guideline-kg parse` reads in it
    page.goto("/#/letter")
    ready(page)
    page.get_by_label("Choose a PDF…").set_input_files(str(pdf))
    results = page.locator("#letter-results")
    expect(results).to_have_attribute("data-state", "ready", timeout=30_000)
    items = results.locator("li.item")
    expect(items).to_have_count(len(reading.items))
    for item, expected in zip(items.all(), reading.items, strict=True):
        expect(item.locator(".decision")).to_contain_text(expected.decision)
    assert page.get_by_label("Determination letter text").input_value().strip()
    assert "letter" in page.url and pdf.stem not in page.url


def test_a_pdf_dropped_on_the_page_is_read_and_a_scan_is_explained(
    page: Any, console: Console
) -> None:
    import base64

    from playwright.sync_api import expect

    page.goto("/#/letter")
    ready(page)
    results = page.locator("#letter-results")
    pdf = TEST_PDFS / "synthetic-2014-pages.pdf"
    page.evaluate(DROP, [pdf.name, base64.b64encode(pdf.read_bytes()).decode()])
    expect(results).to_have_attribute("data-state", "ready")
    expect(results.locator("li.item")).to_have_count(2)
    scan = TEST_PDFS / "scanned-no-text.pdf"
    page.get_by_label("Choose a PDF…").set_input_files(str(scan))
    expect(results.get_by_role("alert")).to_contain_text("no text layer")
    expect(results).to_have_attribute("data-state", "error")
    # the browser logs every answer that is not a 2xx: the 422 for the scan is the one expected
    refused = [e for e in console.errors if "status of 422" in e]
    assert len(refused) == 1, console.errors
    console.errors.remove(refused[0])
