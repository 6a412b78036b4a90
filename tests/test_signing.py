"""Signed letters as trusted documents: PAdES signatures with the agency's certificate, the
certificate in the admin, and the archival PDF (PDF/A-2b, tagged) that carries them."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from agencies import certificates
from agencies.demo_certificates import DEMO_PASSWORD, authority, make_demo_certificates, pkcs12_for
from agencies.models import Agency, SigningCertificate
from core.workflow import DomainError
from replies import services as rs
from replies.models import ReplyLetter
from replies.services.stored import letter_store_pdf
from replies.signing import SigningError, check_signature
from tests.tsa import TimeStampingServer


def sign(world, callbacks, *, proposal=None) -> ReplyLetter:
    _proposal, letter = world.ready_letter(proposal)
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    with callbacks(execute=True):
        rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7))
    letter.refresh_from_db()
    return letter


def page_as(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url)


def stored(letter) -> bytes:
    with letter.pdf.open("rb") as handle:
        return handle.read()


def validate(data: bytes):
    """pyHanko's own validator, trusting the demo CA only, offline."""
    from asn1crypto import x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = x509.Certificate.load(authority().certificate.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(data))
    assert len(reader.embedded_signatures) == 1
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return validate_pdf_signature(reader.embedded_signatures[0], context)


@pytest.fixture
def callbacks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def certified(world):
    """The lead agency holds a certificate issued by the demo CA."""
    return make_demo_certificates(Agency.objects.filter(pk=world.lead.pk))[0]


# ---------------------------------------------------------------- signing


def test_a_letter_of_an_agency_with_a_certificate_is_signed_pades_and_trusted(world, certified, callbacks):
    letter = sign(world, callbacks)
    data = stored(letter)
    status = validate(data)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["common_name"] == world.lead.name
    assert letter.signature_level == "B-B"
    assert letter.signature_fingerprint == certified.fingerprint
    assert world.lead.name in letter.signature_subject
    # the signature is an incremental update: the rendered PDF is the file's first revision
    assert data.count(b"%%EOF") == 2
    # the code in plain bytes, found even in a copy too damaged to read its text
    assert f"verify{letter.verify_code}".encode() in data
    page = page_as(world.lead_officer, reverse("replies:letter_detail", args=[letter.pk]))
    assert "已数字签名（PAdES B-B）" in page.content.decode()


def test_without_a_certificate_the_letter_is_signed_as_before_and_says_so(world, callbacks):
    letter = sign(world, callbacks)
    assert letter.pdf and letter.signature_level == ""
    assert check_signature(stored(letter)).present is False
    page = page_as(world.lead_officer, reverse("replies:letter_detail", args=[letter.pk]))
    assert "未数字签名" in page.content.decode()


def test_a_time_stamping_server_makes_the_signature_b_t(world, certified, callbacks, settings):
    server = TimeStampingServer()
    try:
        settings.SIGNING_TSA_URL = server.url
        letter = sign(world, callbacks)
    finally:
        server.stop()
    assert server.requests >= 1  # pyHanko asks once more to size the signature
    assert letter.signature_level == "B-T"
    status = validate(stored(letter))
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid


def test_a_time_stamping_server_that_is_gone_stores_nothing_and_says_why(world, certified, callbacks,
                                                                         settings):
    server = TimeStampingServer()
    server.stop()
    settings.SIGNING_TSA_URL = server.url
    settings.SIGNING_TSA_TIMEOUT = 2
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7))
    letter.refresh_from_db()
    with pytest.raises(SigningError, match="时间戳服务器"):
        letter_store_pdf(letter=letter)
    letter.refresh_from_db()
    assert not letter.pdf and letter.pdf_sha256 == ""
    # a download meanwhile is told why, on the page for an unavailable PDF
    response = page_as(world.lead_officer, reverse("replies:letter_pdf", args=[letter.pk]))
    assert "时间戳服务器" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    # back again: the PDF is stored on the next try (the download's), time-stamped
    server = TimeStampingServer()
    try:
        settings.SIGNING_TSA_URL = server.url
        letter = letter_store_pdf(letter=letter)
    finally:
        server.stop()
    assert letter.signature_level == "B-T"


def test_an_expired_certificate_refuses_signing_with_why(world, certified):
    data = pkcs12_for(world.lead.name, authority(), days=0)
    facts = certificates.describe(certificates.read_pkcs12(data, DEMO_PASSWORD))
    SigningCertificate.objects.filter(pk=certified.pk).update(pkcs12=data, **facts)
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    with pytest.raises(DomainError, match="签名证书已于.*过期"):
        rs.letter_sign(letter=letter, actor=world.lead_approver, signed_on=datetime.date(2023, 7, 7))
    letter.refresh_from_db()
    assert letter.state == "in_review" and not letter.number and letter.verify_code == ""


def test_the_password_is_kept_encrypted_or_read_from_the_environment(world, certified, monkeypatch):
    assert DEMO_PASSWORD not in certified.password_encrypted
    assert certificates.password_of(certified) == DEMO_PASSWORD
    certified.password_env, certified.password_encrypted = "AGENCY_CERT_PASSWORD", ""
    with pytest.raises(certificates.CertificateError, match="AGENCY_CERT_PASSWORD"):
        certificates.identity_of(certified)
    monkeypatch.setenv("AGENCY_CERT_PASSWORD", DEMO_PASSWORD)
    assert certificates.identity_of(certified).fingerprint == certified.fingerprint


def test_a_changed_secret_key_says_the_password_cannot_be_decrypted(world, certified, settings):
    settings.SIGNING_PASSWORD_KEY = "another key"
    with pytest.raises(certificates.CertificateError, match="无法解密"):
        certificates.identity_of(certified)


# ---------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def upload(admin_client, agency, data, **fields):
    return admin_client.post(reverse("admin:agencies_signingcertificate_add"), {
        "agency": agency.pk, "upload": SimpleUploadedFile("agency.p12", data, "application/x-pkcs12"),
        "password": fields.get("password", ""), "password_env": fields.get("password_env", ""),
    })


def test_an_administrator_uploads_a_certificate_and_sees_its_facts(world, admin_client):
    data = pkcs12_for(world.lead.name, authority(), "s3cret-pw")
    response = upload(admin_client, world.lead, data, password="s3cret-pw")
    assert response.status_code == 302, response.content.decode()[:2000]
    certificate = SigningCertificate.objects.get(agency=world.lead)
    assert world.lead.name in certificate.subject
    assert "s3cret-pw" not in certificate.password_encrypted
    assert bytes(certificate.pkcs12) == data
    listing = admin_client.get(reverse("admin:agencies_signingcertificate_changelist")).content.decode()
    assert world.lead.name in listing and "有效" in listing


@pytest.mark.parametrize(("data", "password", "message"), [
    (b"not a certificate", "x", "无法读取证书"),
    (None, "wrong password", "无法读取证书"),
    (None, "", "无法读取证书"),
])
def test_a_wrong_file_or_password_is_refused_and_nothing_is_kept(world, admin_client, data, password, message):
    data = data or pkcs12_for(world.lead.name, authority(), "s3cret-pw")
    response = upload(admin_client, world.lead, data, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SigningCertificate.objects.exists()


def test_an_agency_with_a_certificate_is_sent_to_replace_it(world, admin_client, certified):
    data = pkcs12_for(world.lead.name, authority(), "pw-pw-pw")
    response = upload(admin_client, world.lead, data, password="pw-pw-pw")
    assert "已有签名证书。要更换，请在签名证书列表中打开它" in response.content.decode()
    assert SigningCertificate.objects.get(agency=world.lead).fingerprint == certified.fingerprint


def test_a_certificate_near_its_expiry_is_warned_about(world, admin_client):
    data = pkcs12_for(world.lead.name, authority(), "pw-pw-pw", days=10)
    assert upload(admin_client, world.lead, data, password="pw-pw-pw").status_code == 302
    listing = admin_client.get(reverse("admin:agencies_signingcertificate_changelist")).content.decode()
    assert "天后到期，请更换" in listing
    assert "的签名证书将于" in listing  # the message above the list
    _proposal, letter = world.ready_letter()
    rs.letter_submit(letter=letter, actor=world.lead_officer)
    page = page_as(world.lead_approver, reverse("replies:letter_detail", args=[letter.pk]))
    assert "本单位的签名证书将于" in page.content.decode()


def test_an_expired_certificate_is_not_accepted(world, admin_client):
    data = pkcs12_for(world.lead.name, authority(), "pw-pw-pw", days=0)
    response = upload(admin_client, world.lead, data, password="pw-pw-pw")
    assert "过期" in response.content.decode()
    assert not SigningCertificate.objects.exists()


def test_a_password_from_the_environment_is_not_stored(world, admin_client, monkeypatch):
    monkeypatch.setenv("LEAD_CERT_PASSWORD", "env-pass-1")
    data = pkcs12_for(world.lead.name, authority(), "env-pass-1")
    assert upload(admin_client, world.lead, data, password_env="LEAD_CERT_PASSWORD").status_code == 302
    certificate = SigningCertificate.objects.get(agency=world.lead)
    assert certificate.password_encrypted == "" and certificate.password_env == "LEAD_CERT_PASSWORD"
    monkeypatch.delenv("LEAD_CERT_PASSWORD")
    response = upload(admin_client, world.co, data, password_env="LEAD_CERT_PASSWORD")
    assert "没有设置" in response.content.decode()


# ---------------------------------------------------------------- the archival PDF


def xmp(reader: PdfReader) -> str:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()


def test_the_stored_pdf_is_pdf_a_2b_with_its_metadata_fonts_and_output_intent(world, certified, callbacks):
    letter = sign(world, callbacks)
    reader = PdfReader(io.BytesIO(stored(letter)))
    root = reader.trailer["/Root"]
    metadata = xmp(reader)
    assert 'pdfaid:part="2"' in metadata and 'pdfaid:conformance="B"' in metadata
    assert letter.title in metadata and letter.number in metadata and world.lead.name in metadata
    assert "<rdf:li>zh-CN</rdf:li>" in metadata and "xmp:CreateDate=\"2023-07-07\"" in metadata
    assert root["/Lang"] == "zh-CN"
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object().get_data()
    assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "  # an ICC profile of RGB space
    fonts = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            for descriptor_of in ([d.get_object() for d in descendants] if descendants else [font]):
                descriptor = descriptor_of["/FontDescriptor"].get_object()
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
                fonts += 1
    assert fonts >= 3
    assert not reader.is_encrypted
    # the signature's (invisible) widget is printable, as PDF/A asks of every annotation
    field = root["/AcroForm"]["/Fields"][0].get_object()
    assert field["/FT"] == "/Sig" and int(field["/F"]) & 4
    raw = stored(letter)
    assert b"/JavaScript" not in raw and b"/JS" not in raw


def _structure(element, found):
    element = element.get_object()
    kind = element.get("/S")
    if kind:
        found.append(str(kind))
    kids = element.get("/K")
    if kids is None:
        return found
    for kid in (kids if isinstance(kids, list) else [kids]):
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and "/S" in kid:
            _structure(kid, found)
    return found


def test_the_stored_pdf_is_tagged_with_the_title_read_first(world, callbacks):
    letter = sign(world, callbacks)
    reader = PdfReader(io.BytesIO(stored(letter)))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    kinds = _structure(root["/StructTreeRoot"], [])
    content = [kind for kind in kinds if kind in ("/H1", "/H2", "/P")]
    assert content[0] == "/H1"
    assert "/H2" in content and content.count("/P") > 5
    assert reader.metadata.title == letter.title
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


# ---------------------------------------------------------------- the verification mark


def test_the_last_page_prints_the_code_and_nothing_of_the_standard_moves(world, callbacks, settings):
    import pdfplumber

    from replies.pdf.render import render_letter_pdf

    letter = sign(world, callbacks)
    code = f"{letter.verify_code[:4]}-{letter.verify_code[4:]}"
    with_mark = render_letter_pdf(letter)
    settings.LETTER_VERIFICATION_MARK = False
    without = render_letter_pdf(letter)

    def words(data):
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [[(w["text"], round(w["x0"], 2), round(w["top"], 2)) for w in page.extract_words()]
                    for page in pdf.pages]

    marked, plain = words(with_mark), words(without)
    assert len(marked) == len(plain)
    assert marked[:-1] == plain[:-1]
    extra = [w for w in marked[-1] if w not in plain[-1]]
    assert [w for w in marked[-1] if w in extra] == marked[-1][len(plain[-1]):]  # only added
    assert any(code in text for text, _x, _top in extra)
    assert all(top > (37 + 225 + 12) * 72 / 25.4 for _text, _x, top in extra)  # below the page number
    assert "/verify/" in "".join(text for text, _x, _top in extra)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", letter.verify_code)


def test_make_demo_certificates_gives_each_agency_one_once(world):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("make_demo_certificates", stdout=out)
    assert SigningCertificate.objects.filter(agency__in=[world.lead, world.co]).count() == 2
    assert "已为 测试市" in out.getvalue()
    fingerprints = set(SigningCertificate.objects.values_list("fingerprint", flat=True))
    again = io.StringIO()
    call_command("make_demo_certificates", stdout=again)
    assert "未作修改" in again.getvalue()
    assert set(SigningCertificate.objects.values_list("fingerprint", flat=True)) == fingerprints
    roots = certificates.trust_roots()
    assert [root.subject for root in roots] == [authority().certificate.subject]


def test_the_qr_code_reads_back_as_the_verification_address(world, callbacks, settings):
    """Rendered at 200 dpi and read by a QR decoder, as a phone camera would."""
    import pypdfium2
    import zxingcpp

    letter = sign(world, callbacks)
    pdf = pypdfium2.PdfDocument(stored(letter))
    image = pdf[len(pdf) - 1].render(scale=200 / 72).to_pil()
    found = [result.text for result in zxingcpp.read_barcodes(image)]
    code = f"{letter.verify_code[:4]}-{letter.verify_code[4:]}"
    assert found == [f"{settings.SITE_URL}/verify/?code={code}"]
