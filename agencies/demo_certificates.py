"""A demo certificate authority, and signing certificates made by it for the agencies.

For the demo and the tests only: a real deployment uploads the certificates its CA issued.
The CA (and a time-stamping certificate for a local time-stamping server) are kept in the
media folder under ``demo-ca/``, so that the same CA signs every run's certificates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

FOLDER = "demo-ca"
DEMO_PASSWORD = "demo-cert-2023"  # noqa: S105 (the demo's own, printed in the README)
YEARS = 3


@dataclass
class Authority:
    key: object
    certificate: object


def _now():
    return datetime.datetime.now(datetime.UTC)


def _name(common: str, organisation: str = "政协提案办理系统演示"):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common[:64]),
    ])


def _pem_pair(key, certificate) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import serialization

    return (
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()),
        certificate.public_bytes(serialization.Encoding.PEM),
    )


def _load(name: str) -> Authority | None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    if not (default_storage.exists(f"{FOLDER}/{name}-key.pem") and default_storage.exists(f"{FOLDER}/{name}.pem")):
        return None
    with default_storage.open(f"{FOLDER}/{name}-key.pem", "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), None)
    with default_storage.open(f"{FOLDER}/{name}.pem", "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    return Authority(key, certificate)


def _save(name: str, authority: Authority) -> None:
    key_pem, cert_pem = _pem_pair(authority.key, authority.certificate)
    for path, data in ((f"{FOLDER}/{name}-key.pem", key_pem), (f"{FOLDER}/{name}.pem", cert_pem)):
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(data))


def _issue(subject, public_key, issuer: Authority | None, signing_key, *, ca: bool = False,
           time_stamping: bool = False, days: int = 365 * YEARS):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=not ca, content_commitment=not ca and not time_stamping,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
        ), critical=True)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.certificate.public_key()),
            critical=False,
        )
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                                        critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def _new_key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def authority() -> Authority:
    """The demo CA: loaded from the media folder, made there the first time."""
    found = _load("ca")
    if found is not None:
        return found
    key = _new_key()
    certificate = _issue(_name("政协提案办理系统演示根证书（仅供演示）"), key.public_key(), None, key,
                         ca=True, days=365 * 10)
    made = Authority(key, certificate)
    _save("ca", made)
    return made


def time_stamping_authority() -> Authority:
    """A time-stamping certificate issued by the demo CA (for a local time-stamping server)."""
    found = _load("tsa")
    if found is not None:
        return found
    from cryptography.hazmat.primitives.asymmetric import rsa

    ca = authority()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's responder signs RSA
    made = Authority(key, _issue(_name("演示时间戳服务"), key.public_key(), ca, ca.key, time_stamping=True))
    _save("tsa", made)
    return made


def pkcs12_for(name: str, ca: Authority, password: str = DEMO_PASSWORD, *, days: int = 365 * YEARS) -> bytes:
    """A PKCS#12 file with a new key and a certificate for ``name`` issued by ``ca``."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    key = _new_key()
    certificate = _issue(_name(name, name), key.public_key(), ca, ca.key, days=days)
    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, certificate, [ca.certificate], BestAvailableEncryption(password.encode()),
    )


@transaction.atomic
def make_demo_certificates(agencies=None) -> list:
    """A certificate for each agency (active, by default) that has none; returns those made."""
    from .certificates import describe, encrypt_password, read_pkcs12
    from .models import Agency, SigningCertificate

    ca = authority()
    agencies = Agency.objects.active() if agencies is None else agencies
    made = []
    for agency in agencies.exclude(certificate__isnull=False):
        data = pkcs12_for(agency.name, ca)
        facts = describe(read_pkcs12(data, DEMO_PASSWORD))
        made.append(SigningCertificate.objects.create(
            agency=agency, pkcs12=data, password_encrypted=encrypt_password(DEMO_PASSWORD), **facts,
        ))
    return made
