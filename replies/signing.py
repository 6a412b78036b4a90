"""The digital signature of signed letters (PAdES, with pyHanko), and checking one.

A letter signed by an agency that has a signing certificate (:class:`agencies.models.
SigningCertificate`) has its stored PDF signed as a PAdES signature: baseline B-B, or B-T
when a time-stamping server is configured (``SIGNING_TSA_URL``). The signature is added as
an incremental update, so the archival PDF written before it stays as it was. The seal
image printed on the letter is unchanged; the signature is the proof behind it.

SM2 signatures (GB/T 38540 electronic seals) need certified hardware and are not made here.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from agencies.certificates import CertificateError, Identity, identity_of

logger = logging.getLogger(__name__)

FIELD_NAME = "Signature1"
# The signature container's room in the file: a certificate chain of a few RSA-4096
# certificates and a time-stamp token fit with room to spare (a larger one is signed again
# with the room measured).
RESERVED_BYTES = 24 * 1024


class SigningError(CertificateError):
    """The letter could not be signed digitally (the certificate, or the time-stamping server)."""


def certificate_of(agency):
    """The agency's signing certificate, or None (the agency signs without one)."""
    from agencies.models import SigningCertificate

    return SigningCertificate.objects.filter(agency=agency).first()


def identity_for(agency) -> Identity | None:
    """The key to sign the agency's letters with; None without a certificate. A certificate
    that cannot be used (expired, password missing) is refused with why."""
    certificate = certificate_of(agency)
    if certificate is None:
        return None
    return identity_of(certificate)


def _asn1(identity: Identity):
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER))
    key = keys.PrivateKeyInfo.load(identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
    ))
    chain = [x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in identity.chain]
    return cert, key, chain


def timestamper():
    """The time-stamping client for ``SIGNING_TSA_URL``, or None."""
    if not settings.SIGNING_TSA_URL:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(settings.SIGNING_TSA_URL, timeout=settings.SIGNING_TSA_TIMEOUT)


@dataclass
class Signed:
    data: bytes
    level: str  # "B-B" or "B-T"
    subject: str  # the certificate's common name
    fingerprint: str


def sign_pdf(pdf: bytes, identity: Identity, *, reason: str = "", location: str = "",
             contact: str = "") -> Signed:
    """``pdf`` with a PAdES signature made with ``identity`` added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError as PyHankoSigningError
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert, key, chain = _asn1(identity)
    signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=key, cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    stamper = timestamper()
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None, location=location or None, contact_info=contact or None,
    )
    try:
        try:
            # Room for the signature set aside at once: pyHanko would otherwise sign twice
            # (the first time only to learn the size).
            out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), meta,
                                   signer=signer, timestamper=stamper, bytes_reserved=RESERVED_BYTES)
        except PyHankoSigningError as error:
            if "larger than expected" not in str(error):
                raise
            out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), meta,
                                   signer=signer, timestamper=stamper)
    except Exception as error:  # pyHanko wraps network and signing failures in many types
        logger.error("signing a letter failed: %s", error)
        if stamper is not None:
            raise SigningError(
                _("无法从时间戳服务器（%(url)s）取得时间戳，答复函未能数字签名，请稍后重试或联系系统管理员。")
                % {"url": settings.SIGNING_TSA_URL}
            ) from error
        raise SigningError(_("数字签名失败，请联系系统管理员检查签名证书。")) from error
    from cryptography.x509.oid import NameOID

    names = identity.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    signer_name = str(names[0].value) if names else identity.certificate.subject.rfc4514_string()
    return Signed(out.getvalue(), "B-T" if stamper else "B-B", signer_name[:500], identity.fingerprint)


# ---------------------------------------------------------------- checking a signature


@dataclass
class SignatureCheck:
    """What a PDF's digital signature says, in the words /verify/ shows."""

    present: bool = False
    intact: bool = False  # the signed bytes are unchanged
    whole_file: bool = False  # nothing was added after the signature
    trusted: bool = False  # the certificate chains to a root the deployment trusts
    fingerprint: str = ""  # of the signer's certificate
    subject: str = ""  # the signer's name (its certificate's common name)
    issuer: str = ""  # who issued the signer's certificate
    timestamped: bool = False
    problems: list[str] = field(default_factory=list)


def _common_name(name) -> str:
    """The CN of an X.509 name (asn1crypto), or the whole name when it has none."""
    native = name.native
    return str(native.get("common_name") or name.human_friendly)[:200]


def check_signature(data: bytes, trust_roots=()) -> SignatureCheck:
    """Validate the (last) signature of ``data`` with pyHanko, offline: no revocation look-ups.
    ``trust_roots`` are cryptography certificates the chain must end in."""
    import hashlib

    from asn1crypto import x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    check = SignatureCheck()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a file that is not a readable PDF
        check.problems.append(_("文件无法作为PDF读取。"))
        return check
    if not signatures:
        return check
    check.present = True
    roots = [x509.Certificate.load(root.public_bytes(serialization.Encoding.DER)) for root in trust_roots]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    signature = signatures[-1]
    try:
        status = validate_pdf_signature(signature, context)
    except Exception as error:
        logger.info("a signature could not be validated: %s", error)
        check.problems.append(_("数字签名无法校验（签名数据已损坏）。"))
        return check
    check.intact = bool(status.intact and status.valid)
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    check.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check.trusted = bool(status.trusted)
    check.timestamped = status.timestamp_validity is not None
    signer = status.signing_cert
    if signer is not None:
        check.fingerprint = hashlib.sha256(signer.dump()).hexdigest()
        check.subject = _common_name(signer.subject)
        check.issuer = _common_name(signer.issuer)
    return check
