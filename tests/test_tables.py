"""The source tables (kg/data/tables) compile to exactly the committed Turtle; bad rows are
reported by file, line and column, by the compiler and by `guideline-kg validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.load import load_ontology, load_shapes
from kg.namespaces import PREFIXES
from kg.tables import DATA_DIR, TABLES_DIR, compile_tables, stale_files, vocabulary
from kg.tables.__main__ import main
from kg.tables.cells import CellError, to_terms
from kg.tables.schema import CRITERIA, SECTIONS
from kg.validate import validate

GL = {name: URIRef(PREFIXES["gl"] + name) for name in ("Chronic", "Subacute", "U")}
BROKEN = Path(__file__).parent / "data" / "tables" / "broken"
INHERIT = Path(__file__).parent / "data" / "tables" / "inherit"
INHERITED_FROM = URIRef(PREFIXES["gl"] + "inheritedFrom")
CONFIDENCE = URIRef(PREFIXES["gl"] + "confidence")


@pytest.fixture(scope="module")
def compiled():
    return compile_tables(TABLES_DIR, vocabulary(load_ontology()))


def test_the_tables_compile_without_row_errors(compiled) -> None:
    assert [str(e) for e in compiled.errors] == []


def test_the_committed_turtle_is_exactly_the_compilation_of_the_tables(compiled) -> None:
    assert stale_files(compiled, DATA_DIR) == [], "run `python -m kg.tables` and commit the Turtle"


def test_the_compiled_graph_is_the_loaded_graph(compiled) -> None:
    loaded = Graph()
    for path in sorted(DATA_DIR.glob("*.ttl")):
        loaded.parse(path, format="turtle")
    assert len(compiled.graph()) == len(loaded)


def test_every_turtle_file_comes_from_the_tables(compiled) -> None:
    assert sorted(compiled.files) == sorted(p.name for p in DATA_DIR.glob("*.ttl"))


def test_a_broken_table_is_reported_by_file_line_and_column() -> None:
    result = compile_tables(BROKEN, vocabulary(load_ontology()))
    found = {(Path(e.path).name, e.line, e.column) for e in result.errors}
    assert found == {
        ("criteria.tsv", 2, 3),  # text is required
        ("sections.tsv", 2, 4),  # page_start 9a
        ("sections.tsv", 3, 2),  # an undefined document
        ("sections.tsv", 3, 9),  # confidence maybe
        ("sections.tsv", 4, 5),  # a row short of cells
    }
    messages = {str(e) for e in result.errors}
    assert any("sections.tsv:2:4: page_start: '9a' is not a whole number" in m for m in messages)
    assert any("doc:no-such-document is not defined in any table" in m for m in messages)


def test_validate_reports_row_errors_as_violations() -> None:
    report = validate(Graph(), load_shapes(), shacl=False, tables=BROKEN)
    tables = [v for v in report.violations if v.check == "table"]
    assert not report.conforms and len(tables) == 5
    assert any("sections.tsv:3:9: confidence: 'maybe'" in v.message for v in tables)


def test_validate_reports_turtle_that_is_not_the_compilation(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    for name in ("editions.tsv", "documents.tsv"):
        (tables / name).write_text((BROKEN / name).read_text())
    (tables / "sections.tsv").write_text(
        "id\tdocument\tlabel\tsource\tconfidence\nmini-2009-a\tmini-2009\tA\ttest fixture\tU\n"
    )
    (tmp_path / "mini.ttl").write_text("# edited by hand\n")
    report = validate(Graph(), load_shapes(), shacl=False, tables=tables)
    assert [v.message.split(";")[0] for v in report.violations] == [
        "mini.ttl differs from the compilation of the tables"
    ]


def test_the_command_fails_with_the_row_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--tables", str(BROKEN), "--check"]) == 1
    assert "sections.tsv:4:5: 4 cells where the header has 9 columns" in capsys.readouterr().err


def test_the_command_writes_the_turtle(tmp_path: Path) -> None:
    assert main(["--tables", str(TABLES_DIR), "--data-dir", str(tmp_path)]) == 0
    assert main(["--tables", str(TABLES_DIR), "--data-dir", str(tmp_path), "--check"]) == 0
    assert (tmp_path / "mtus-cpmtg-2009.ttl").read_text() == (
        DATA_DIR / "mtus-cpmtg-2009.ttl"
    ).read_text()


# ---------------------------------------------------------------- cells


def _column(table, name):
    column = table.column(name)
    assert column is not None
    return column


def test_a_reference_takes_the_column_prefix_or_a_curie() -> None:
    phases = _column(SECTIONS, "phases")
    assert to_terms("Chronic | Subacute", phases) == [GL["Chronic"], GL["Subacute"]]
    applies = _column(SECTIONS, "applies_to")
    assert to_terms("M54.16 | cond:M54.5", applies) == [
        URIRef(PREFIXES["cond"] + "M54.16"),
        URIRef(PREFIXES["cond"] + "M54.5"),
    ]
    with pytest.raises(CellError, match="unknown prefix"):
        to_terms("xx:M54.16", applies)


def test_numbers_keep_their_turtle_type() -> None:
    weeks = _column(CRITERIA, "max_weeks")
    assert to_terms("8", weeks) == [Literal(8)]
    assert to_terms("2.5", weeks) == [Literal("2.5", datatype=XSD.decimal)]
    with pytest.raises(CellError):
        to_terms("eight", weeks)


def test_verified_confidence_is_no_mark_and_a_guess_is_refused() -> None:
    confidence = _column(SECTIONS, "confidence")
    assert to_terms("verified", confidence) == []
    assert to_terms("U", confidence) == [GL["U"]]
    with pytest.raises(CellError):
        to_terms("probably", confidence)


# ---------------------------------------------------------------- inheritance


def _id(prefix: str, local: str) -> URIRef:
    return URIRef(PREFIXES[prefix] + local)


@pytest.fixture(scope="module")
def inherited() -> Graph:
    result = compile_tables(INHERIT, vocabulary(load_ontology()))
    assert [str(e) for e in result.errors] == []
    assert (
        result.rows["inheritance"] == 2 and result.expanded == 9
    )  # 2019: 1 section + 3 criteria; 2020: 2 + 3
    return result.graph()


def test_an_inheritance_row_stands_for_the_predecessors_sections_under_the_editions_ids(
    inherited: Graph,
) -> None:
    mri = _id("sec", "bk-2019-mri")
    assert inherited.value(mri, INHERITED_FROM) == _id("sec", "bk-2016-mri")
    assert inherited.value(mri, URIRef(PREFIXES["gl"] + "inDocument")) == _id("doc", "bk-2019")
    assert inherited.value(mri, CONFIDENCE) == GL["U"]
    assert (
        str(inherited.value(mri, URIRef("http://purl.org/dc/terms/source")))
        == "test fixture: not compared"
    )
    assert inherited.value(mri, URIRef(PREFIXES["gl"] + "hasCriterion")) == _id(
        "crit", "bk-2019-mri-1"
    )
    assert set(
        inherited.objects(_id("crit", "bk-2019-mri-1"), URIRef(PREFIXES["gl"] + "member"))
    ) == {_id("crit", "bk-2019-mri-1a"), _id("crit", "bk-2019-mri-1b")}
    assert inherited.value(_id("crit", "bk-2019-mri-1a"), INHERITED_FROM) == _id(
        "crit", "bk-2016-mri-1a"
    )


def test_a_section_with_its_own_row_is_not_inherited_and_parents_follow_the_edition(
    inherited: Graph,
) -> None:
    own = _id("sec", "bk-2019-imaging")
    assert inherited.value(own, INHERITED_FROM) is None
    assert (
        str(inherited.value(own, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
        == "Imaging (revised)"
    )
    assert (
        inherited.value(_id("sec", "bk-2019-mri"), URIRef(PREFIXES["gl"] + "parentSection")) == own
    )


def test_inheritance_rows_chain(inherited: Graph) -> None:
    assert inherited.value(_id("sec", "bk-2020-mri"), INHERITED_FROM) == _id("sec", "bk-2019-mri")
    assert inherited.value(_id("sec", "bk-2020-imaging"), INHERITED_FROM) == _id(
        "sec", "bk-2019-imaging"
    )


def test_bad_inheritance_rows_are_row_errors(tmp_path: Path) -> None:
    for path in INHERIT.glob("*.tsv"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "inheritance.tsv").write_text(
        "document\tinherits_from\tsource\tconfidence\n"
        "bk-2019\tbk-2020\tt\tU\n"
        "bk-2020\tbk-2019\tt\tU\n"
        "bk-2016\tno-such-book\tt\tU\n"
    )
    result = compile_tables(tmp_path)
    found = {(e.line, e.column, e.message.split(":")[0]) for e in result.errors}
    assert (4, 2, "inherits_from") in found  # an undefined predecessor
    assert any("cycle" in e.message for e in result.errors)


def test_the_shipped_inheritance_names_the_edition_in_force(compiled) -> None:
    graph = compiled.graph()
    copy = _id("sec", "acoem-low-back-2020-mri")
    assert graph.value(copy, URIRef(PREFIXES["gl"] + "inDocument")) == _id(
        "doc", "acoem-low-back-2020"
    )
    assert graph.value(copy, INHERITED_FROM) == _id("sec", "acoem-low-back-2019-mri")
    assert graph.value(_id("sec", "acoem-low-back-2019-mri"), INHERITED_FROM) == _id(
        "sec", "acoem-low-back-2016-mri"
    )
    # the 2016 edition's topics that the 2007 edition also holds are written once, under 2007
    assert graph.value(_id("sec", "acoem-low-back-2016-mri"), INHERITED_FROM) == _id(
        "sec", "acoem-low-back-2007-mri"
    )
    assert graph.value(_id("sec", "acoem-low-back-2007-mri"), INHERITED_FROM) is None
    for subject in graph.subjects(INHERITED_FROM, None):
        assert graph.value(subject, CONFIDENCE) == GL["U"]
