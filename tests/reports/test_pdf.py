"""The PDF export opens, and says in English and in Chinese what the document says: read
back with `pdftotext` (poppler) from the file the worker stored."""

import re
import subprocess

from reports import services as report_services
from tests.reports.chain import Q4_STATEMENT, Chain, pdf_text

TOPICS_ZH = {
    "malicious-use": "非国家行为体的恶意使用",
    "militarization": "人工智能军事化",
    "technology-gap": "弥合国家间技术鸿沟",
}


def squash(text: str) -> str:
    """Without whitespace and hyphens, however the PDF broke its lines."""
    return re.sub(r"[\s-]", "", text)


def stored_pdf(chain: Chain, session, kind) -> bytes:
    report = chain.report(session, kind)
    assert report_services.report_build(report_id=report.pk) == "ready"
    report.refresh_from_db()
    stream, mime, name = report_services.export_file(report, "pdf")
    with stream:
        data = stream.read()
    assert mime == "application/pdf"
    assert name == f"{kind}-session{session.pk}-v1.pdf"
    return data


def test_report_pdf_opens_with_every_statement_in_english_and_chinese(chain, tmp_path):
    data = stored_pdf(chain, chain.s2, "post_session_report")
    text = squash(pdf_text(data, tmp_path))

    assert data.startswith(b"%PDF-")
    for key in ("Q1", "Q2", "Q3", "Q4", "proposed_s2"):
        assert squash(chain.points[key].statement) in text, key
    assert "预部署测试与评估" in text
    assert squash(Q4_STATEMENT) in text
    # The agenda names each topic in both languages.
    for code, name_zh in TOPICS_ZH.items():
        assert name_zh in text, code
    assert squash("Militarization of AI") in text
    # Every section of the report, the charts' labels among them.
    for heading in (
        "Changes against the brief",
        "Positions that moved",
        "Consensus figures",
        "Convergence along the chain of sessions",
        "Suggested agenda for the next session",
    ):
        assert squash(heading) in text, heading


def test_brief_pdf_opens_with_the_carried_statements_in_english_and_chinese(chain, tmp_path):
    data = stored_pdf(chain, chain.s3, "pre_session_brief")
    path = tmp_path / "brief.pdf"
    path.write_bytes(data)
    info = subprocess.run(  # noqa: S603 - a fixed program on a file of our own
        ["pdfinfo", str(path)],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    text = squash(pdf_text(data, tmp_path))

    assert data.startswith(b"%PDF-")
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1]) >= 2  # a cover, then the rest
    # S3's brief carries P1 and P5 from S1, Q1-Q4 from S2.
    for key in ("P1", "P5", "Q1", "Q2", "Q3"):
        assert squash(chain.points[key].statement) in text, key
    assert "预部署测试与评估" in text
    assert TOPICS_ZH["malicious-use"] in text
    assert TOPICS_ZH["militarization"] in text
    for heading in ("Agreed: candidate for adoption", "Expectation gap"):
        assert squash(heading) in text
