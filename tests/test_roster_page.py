"""`jur roster -f html | md`: the printable 辖区 page.

The content tests read the page as text; the browser test prints it to PDF with Chromium
and reads the PDF back with poppler (pdfinfo, pdftotext), as a person printing it would.
`.ci/run` installs chromium, poppler-utils and a CJK font when they are missing, so CI runs
the browser test instead of skipping it.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ERQI, ROOT, jur, out

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14 (UTC): output is reproducible
MADE = "2023-11-14"

# Measured with Chromium 120+ and Noto Sans CJK (fonts-noto-cjk), --no-pdf-header-footer.
# A change that moves these is a layout change: look at the PDF, then update them.
ERQI_PAGES = 3
CITY_PAGES = 16


@pytest.fixture(scope="module")
def erqi_names(index) -> tuple[list[str], list[str]]:
    """The 16 station names and the 176 community and village names of 二七区."""
    ds = index.dataset
    codes = {s.code for s in ds.streets if s.district == "二七区"}
    return [n + "派出所" for n in ERQI], [c.name for c in ds.communities if c.street in codes]


def page(*args: str, env: dict | None = None) -> str:
    p = jur("roster", *args, env={**EPOCH, **(env or {})})
    assert p.returncode == 0, p.stderr.decode()
    assert p.stderr == b""
    return out(p)


def text_of(markup: str) -> str:
    """The visible text of the html page (tags dropped, entities decoded), whitespace gone."""
    body = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", "", body)))


def test_erqi_counts_are_what_the_issue_says(erqi_names):
    stations, names = erqi_names
    assert len(stations) == 16 and len(names) == 176 and len(set(names)) == 176


def test_html_page_holds_every_station_and_community_of_erqi(erqi_names):
    doc = page("二七", "-f", "html")
    stations, names = erqi_names
    assert doc.startswith("<!DOCTYPE html>") and doc.rstrip().endswith("</html>")
    # one entry per station, in the report's order
    found = re.findall(r'<div class="station" id="st-\d+">.*?</span>(.+?)<sup>', doc, re.S)
    assert found == stations
    for name in names:
        assert f'<span class="n">{name}</span>' in doc
    assert doc.count('<span class="n">') == 176
    assert "社区和村</b> 176" in doc


def test_html_header_sources_and_teams():
    doc = page("二七分局", "-f", "html")
    text = text_of(doc)
    assert "郑州市公安局二七分局" in text
    assert "郑州市二七区淮南街7号" in text
    assert "数据版本2020-10-20" in text and f"制表日期{MADE}" in text
    # sources as footnotes: title, date and address of each
    assert (
        "最新公安改革(警视在线,reprintedfrom澎湃新闻)—2020-10-21—http://jingsw.com/news/show-3181.html"
        in text
    )
    assert "dist/villages.csv" in text and "zhengzhou-townships.csv" in text
    # the report, the two NBS lists, and the former names of 二七's subdistricts (齐礼阎乡 …)
    assert re.findall(r'<li id="src-(\d+)">', doc) == ["1", "2", "3", "4"]
    assert "former-names.csv" in text
    # every footnote mark points at a listed source
    marks = {int(n) for n in re.findall(r'href="#src-(\d+)"', doc)}
    assert marks == {1, 2, 3, 4}
    # 两队一室 said once, not per station
    for team in ("社区警务队", "案件办理队", "综合指挥室"):
        assert text.count(team + "(") == 1  # its entry: name (role): duties
    assert text.count("两队一室") == 1


def test_html_is_self_contained():
    doc = page("二七", "-f", "html")
    lowered = doc.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered and "@import" not in lowered and "url(" not in lowered
    assert "@page" in doc and "size: A4" in doc
    assert "<img" not in lowered
    # links only to the sources, as text a printed page also shows
    for href in re.findall(r'href="([^"]+)"', doc):
        assert href.startswith(("#src-", "http://", "https://"))


def test_page_is_reproducible_and_dated_today_without_epoch():
    import time

    assert page("二七", "-f", "html") == page("二七", "-f", "html")
    before = time.strftime("%Y-%m-%d")
    md = page("二七", "-f", "md", env={"SOURCE_DATE_EPOCH": ""})
    assert f"**制表日期**: {before}" in md or time.strftime("%Y-%m-%d") in md


def test_markdown_has_the_same_content(erqi_names):
    md = page("二七", "-f", "md")
    doc = page("二七", "-f", "html")
    stations, names = erqi_names
    assert re.findall(r"^### \d+\. (.+?)\[\^", md, flags=re.M) == stations
    for name in names:
        assert name in md
    # the same facts: names, counts, address, sources, dates
    for fact in (
        "郑州市二七区淮南街7号",
        "176",
        MADE,
        "2020-10-20",
        "http://jingsw.com/news/show-3181.html",
    ):
        assert fact in md and fact in doc
    assert md.count("社区警务队**") == 1
    assert len(re.findall(r"^\[\^\d+\]: ", md, flags=re.M)) == 4
    assert "<" not in md  # no raw HTML in the Markdown


def test_whole_city_covers_all_sub_bureaus(dataset):
    doc = page("-f", "html")
    text = text_of(doc)
    for b in dataset.sub_bureaus:
        assert b.full_name in text
    assert doc.count('<section class="bureau') == 11
    assert "112个派出所,本表收录94个" in text
    for st in dataset.stations:
        assert st.name in text


def section(doc: str, name: str) -> str:
    m = re.search(rf'<section class="bureau[^"]*" id="{name}">(.*?)</section>', doc, flags=re.S)
    assert m, name
    return m.group(1)


def test_special_sub_bureaus_say_what_is_known(dataset):
    doc = page("-f", "html")
    for name in ("火车站分局", "地铁分局", "水上分局"):
        assert "its stations are not known" in section(doc, name)
    rail = text_of(section(doc, "火车站分局"))
    assert "郑州站" in rail and "郑州站东广场" in rail and "郑州站西广场" in rail
    metro = section(doc, "地铁分局")
    lines = re.findall(r'<span class="count">(\S+) \((\d+)\)</span>', metro)
    assert [ln for ln, _ in lines][:3] == ["1号线", "2号线/城郊线", "3号线"]
    assert "224 座车站" in metro  # 235 less the 11 of the 郑许线 in 许昌市
    for p in dataset.places:
        if p.kind == "metro-station":
            shown = f'<span class="n">{html.escape(p.name)}</span>' in metro
            assert shown == (p.outside is None), p.name  # 许昌东 is not 地铁分局's
    for ln, n in lines:
        on_line = [p for p in dataset.places if ln in p.lines and p.outside is None]
        assert int(n) == len(on_line)
    # 水上分局: nothing known beyond that it exists, and the page says so instead of a table
    assert '<div class="station"' not in section(doc, "水上分局")
    # the same in Markdown
    md = page("-f", "md")
    assert md.count("its stations are not known") == 3
    assert "- **1号线** (30): 河南工业大学、" in md


def test_unverified_and_place_stations_are_marked():
    doc = page("郑东", "-f", "html")
    text = text_of(doc)
    for name in ("龙子湖派出所", "圃田派出所"):
        block = re.search(rf"{name}.*?</div>", doc, flags=re.S).group(0)
        assert "未核实 unverified" in block
    assert doc.count('<span class="unverified">') == 2
    assert "场所派出所(place)" in text and "负责场所会展中心" in text
    assert "lowtrust" in text  # 水上派出所's caveat is printed
    md = page("郑东", "-f", "md")
    assert md.count("**未核实 unverified**") == 2


def test_district_outside_the_area_says_so():
    doc = page("巩义", "-f", "html")
    assert "巩义市isoutsidethe11sub-bureaus'area" in text_of(doc)
    assert '<div class="station"' not in doc


def test_dataset_text_is_escaped(data_copy):
    """A hand-made dataset whose station is named <b>&"x"; prints it as text, never markup."""
    hostile = '<b>&"x"'
    units = data_copy / "units.yaml"
    units.write_text(
        units.read_text(encoding="utf-8").replace("- name: 德化街派出所", "- name: '<b>&\"x\"'", 1),
        encoding="utf-8",
    )
    streets = data_copy / "streets.yaml"
    streets.write_text(
        streets.read_text(encoding="utf-8").replace(
            "station: 德化街派出所", "station: '<b>&\"x\"'", 1
        ),
        encoding="utf-8",
    )
    doc = page("二七", "-f", "html", "--data", str(data_copy))
    assert "&lt;b&gt;&amp;&quot;x&quot;" in doc
    assert "<b>&" not in doc and '&"x"' not in doc
    md = page("二七", "-f", "md", "--data", str(data_copy))
    assert r"\<b\>\&" in md and hostile not in md


def test_page_formats_are_for_roster_only():
    for args in (
        ("find", "德化街", "-f", "html"),
        ("list", "stations", "-f", "md"),
        ("show", "二七分局", "-f", "html"),
    ):
        p = jur(*args)
        assert p.returncode == 2
        err = p.stderr.decode()
        assert err.count("\n") == 1 and "for jur roster only" in err, err
    p = jur("roster", "二七", "-f", "html", "-o", "station")
    assert p.returncode == 2 and b"--fields does not apply" in p.stderr


def test_output_writes_the_page_to_a_file(tmp_path):
    target = tmp_path / "r.html"
    p = jur("roster", "二七", "-f", "html", "--output", str(target), env=EPOCH)
    assert p.returncode == 0 and p.stdout == b""
    assert target.read_text(encoding="utf-8") == page("二七", "-f", "html")
    p = jur("roster", "没有这个区", "-f", "html", "--output", str(target), env=EPOCH)
    assert p.returncode == 2 and target.read_text(encoding="utf-8").startswith("<!DOCTYPE")


def test_cold_find_does_not_import_the_page_module():
    code = (
        "import sys\n"
        "from jurisdiction.launch import main\n"
        "try:\n    main(['find', '德化街', '-f', 'tsv'])\n"
        "except SystemExit:\n    pass\n"
        "print([m for m in sys.modules if m.endswith('roster_page') or m in ('jinja2', 'html')])\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip().endswith("[]"), p.stdout + p.stderr


# --- in a real browser --------------------------------------------------------------------


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    p = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    return bool(p.stdout.strip())


needs_browser = pytest.mark.skipif(
    not (chromium() and shutil.which("pdftotext") and shutil.which("pdfinfo") and cjk_font()),
    reason="needs chromium, poppler-utils and a CJK font (.ci/run installs them)",
)


def print_pdf(tmp_path: Path, args: tuple[str, ...], name: str) -> Path:
    src = tmp_path / f"{name}.html"
    pdf = tmp_path / f"{name}.pdf"
    src.write_text(page(*args), encoding="utf-8")
    subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            src.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pdf.exists() and pdf.stat().st_size > 0, "chromium wrote no PDF"
    return pdf


def pdf_info(pdf: Path) -> dict[str, str]:
    p = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return dict(
        (k.strip(), v.strip()) for k, _, v in (ln.partition(":") for ln in p.stdout.splitlines())
    )


def pdf_words(pdf: Path) -> list[tuple[int, float, float, float, float, float, float, str]]:
    """Every word with its page, the page's size, and its box (pdftotext -bbox)."""
    p = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    words = []
    page_no, pw, ph = 0, 0.0, 0.0
    for line in p.stdout.splitlines():
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if m:
            page_no += 1
            pw, ph = float(m.group(1)), float(m.group(2))
            continue
        m = re.search(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*)</word>',
            line,
        )
        if m:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            words.append((page_no, pw, ph, x0, y0, x1, y1, html.unescape(m.group(5))))
    return words


@needs_browser
def test_erqi_prints_on_a4_with_everything_inside_the_page(tmp_path, erqi_names):
    pdf = print_pdf(tmp_path, ("二七", "-f", "html"), "erqi")
    info = pdf_info(pdf)
    assert info["Page size"].startswith("594.96 x 841.92"), info["Page size"]  # A4
    assert int(info["Pages"]) == ERQI_PAGES
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    stations, names = erqi_names
    missing = [n for n in stations + names if n not in flat]
    assert missing == []
    assert "郑州市二七区淮南街7号" in flat and "两队一室" in flat
    # no text cut off: every word's box lies on its page, inside a margin of 5 mm
    words = pdf_words(pdf)
    assert len(words) > 200
    margin = 5 * 72 / 25.4
    outside = [
        (pg, w, (round(x0), round(y0), round(x1), round(y1)))
        for pg, pw, ph, x0, y0, x1, y1, w in words
        if x0 < margin or y0 < margin or x1 > pw - margin or y1 > ph - margin
    ]
    assert outside == []
    # and the boxes hold the whole text of the page: no character lies outside them
    from collections import Counter

    assert Counter(re.sub(r"\s+", "", "".join(w[-1] for w in words))) == Counter(flat)


@needs_browser
def test_whole_city_prints_every_sub_bureau(tmp_path, dataset):
    pdf = print_pdf(tmp_path, ("-f", "html"), "city")
    info = pdf_info(pdf)
    assert info["Page size"].startswith("594.96 x 841.92")
    assert int(info["Pages"]) == CITY_PAGES
    flat = re.sub(
        r"\s+",
        "",
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout,
    )
    missing = [b.full_name for b in dataset.sub_bureaus if b.full_name not in flat]
    missing += [st.name for st in dataset.stations if st.name not in flat]
    assert missing == []


def test_a_district_served_by_two_sub_bureaus_says_which_stations_are_shown():
    """金水区: 17 stations of 金水分局 and 7 of 郑东分局's 15; the page must not suggest that
    郑东分局 has only 7."""
    md = page("金水区", "-f", "md")
    assert "## 郑州市公安局金水分局" in md and "## 郑州市公安局郑东分局" in md
    assert "**派出所** 7 of its 15: those serving this district" in md
    assert "not all of 金水区 is 金水分局" in md


@pytest.mark.parametrize("name", ["二七", "金水区", "郑东", "地铁分局", "火车站分局", "巩义", None])
def test_every_footnote_is_used_and_every_mark_has_its_footnote(name):
    args = ([name] if name else []) + ["-f"]
    doc = page(*args, "html")
    listed = re.findall(r'<li id="src-(\d+)">', doc)
    assert listed == [str(n) for n in range(1, len(listed) + 1)]
    assert set(re.findall(r'href="#src-(\d+)"', doc)) == set(listed)
    md = page(*args, "md")
    defined = re.findall(r"^\[\^(\d+)\]: ", md, flags=re.M)
    assert defined == listed
    body = re.sub(r"^\[\^\d+\]: .*$", "", md, flags=re.M)
    assert set(re.findall(r"\[\^(\d+)\]", body)) == set(defined)
