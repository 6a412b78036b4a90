"""Agencies' signing certificates (PKCS#12): reading them, and keeping their passwords.

A certificate is uploaded in the admin as a PKCS#12 file with its password. The file is
kept in the database (never in the media folder, which a web server may serve); the
password is never stored in plain text: either it is read from an environment variable
named in the admin, or it is kept encrypted (Fernet) with ``SIGNING_PASSWORD_KEY`` from
the settings (by default a key derived from ``SECRET_KEY``).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import DomainError

from .models import CERTIFICATE_WARNING_DAYS as EXPIRY_WARNING_DAYS  # noqa: F401 (named here too)
from .models import SigningCertificate

# A PKCS#12 file with a key, its certificate and a chain is a few kilobytes.
PKCS12_MAX_BYTES = 64 * 1024


class CertificateError(DomainError):
    """A certificate that cannot be read or used for signing."""


@dataclass(frozen=True)
class Identity:
    """What signing needs: the private key, its certificate and the chain above it."""

    key: object
    certificate: object  # cryptography.x509.Certificate
    chain: tuple

    @property
    def fingerprint(self) -> str:
        from cryptography.hazmat.primitives import serialization

        der = self.certificate.public_bytes(serialization.Encoding.DER)
        return hashlib.sha256(der).hexdigest()


def _fernet():
    from cryptography.fernet import Fernet

    secret = settings.SIGNING_PASSWORD_KEY or f"signing-passwords:{settings.SECRET_KEY}"
    key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
    return Fernet(key)


def encrypt_password(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode()


def decrypt_password(token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise CertificateError(
            _("签名证书的密码无法解密（SIGNING_PASSWORD_KEY 或 SECRET_KEY 已更换？），请管理员重新上传证书。")
        ) from error


def read_pkcs12(data: bytes, password: str) -> Identity:
    """The key, certificate and chain in a PKCS#12 file; a clear refusal otherwise."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not data:
        raise CertificateError(_("请上传证书文件（PKCS#12，扩展名 .p12 或 .pfx）。"))
    if len(data) > PKCS12_MAX_BYTES:
        raise CertificateError(_("证书文件过大（最大64KB），请确认上传的是 PKCS#12 证书文件。"))
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            bytes(data), password.encode() if password else None,
        )
    except (ValueError, TypeError) as error:
        raise CertificateError(_("无法读取证书：文件不是 PKCS#12 证书，或密码不正确。")) from error
    if key is None or certificate is None:
        raise CertificateError(_("证书文件中没有私钥或证书，无法用于签名。"))
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise CertificateError(_("只支持 RSA 或 ECDSA 密钥的证书（SM2 证书需要专用设备，本系统不支持）。"))
    return Identity(key, certificate, tuple(chain or ()))


def describe(identity: Identity) -> dict:
    """The facts about a certificate the admin and the letters show."""
    from cryptography.hazmat.primitives import serialization

    cert = identity.certificate
    return {
        "chain_pem": "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in identity.chain),
        "subject": cert.subject.rfc4514_string()[:500],
        "issuer": cert.issuer.rfc4514_string()[:500],
        "serial": format(cert.serial_number, "x")[:100],
        "fingerprint": identity.fingerprint,
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
    }


def password_of(certificate) -> str:
    """The password of a stored certificate: from its environment variable, or decrypted."""
    if certificate.password_env:
        value = os.environ.get(certificate.password_env)
        if value is None:
            raise CertificateError(
                _("签名证书的密码应由环境变量 %(name)s 提供，但该变量未设置。") % {"name": certificate.password_env}
            )
        return value
    if certificate.password_encrypted:
        return decrypt_password(certificate.password_encrypted)
    return ""


# Certificates read in this process (reading one decrypts it: a few milliseconds each
# letter otherwise), by row, file and when it was uploaded.
_READ: dict[tuple, Identity] = {}


def identity_of(certificate) -> Identity:
    """The stored certificate ready to sign with: readable, and valid today."""
    key = (certificate.pk, certificate.fingerprint, certificate.uploaded_at, certificate.password_env)
    identity = _READ.get(key)
    if identity is None:
        identity = read_pkcs12(bytes(certificate.pkcs12), password_of(certificate))
        if len(_READ) > 64:
            _READ.clear()
        _READ[key] = identity
    now = timezone.now()
    if identity.certificate.not_valid_after_utc <= now:
        raise CertificateError(
            _("本单位的签名证书已于%(date)s过期，请管理员在后台更换证书后再签发。")
            % {"date": timezone.localtime(identity.certificate.not_valid_after_utc).date()}
        )
    if identity.certificate.not_valid_before_utc > now:
        raise CertificateError(_("本单位的签名证书尚未生效，请管理员检查证书。"))
    return identity


def trust_roots() -> list:
    """The root certificates a signature may chain to: the self-signed certificates in the
    chains of the certificates uploaded, and those in the file ``SIGNING_TRUST_ROOTS``."""
    from cryptography import x509

    pems = list(SigningCertificate.objects.exclude(chain_pem="").values_list("chain_pem", flat=True))
    if settings.SIGNING_TRUST_ROOTS:
        with open(settings.SIGNING_TRUST_ROOTS, "rb") as handle:
            pems.append(handle.read().decode())
    roots, seen = [], set()
    for pem in pems:
        for cert in x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []:
            if cert.subject == cert.issuer and cert.fingerprint(_sha256()) not in seen:
                seen.add(cert.fingerprint(_sha256()))
                roots.append(cert)
    return roots


def _sha256():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()
