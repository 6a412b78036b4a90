"""承办单位: the agencies that answer proposals, and who works in them."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[a-z][a-z0-9_-]{0,31}$",
    _("代码只能包含小写英文字母、数字、下划线和连字符，并以字母开头，最长32个字符。"),
)

# A document-number prefix such as 中工商联函: no brackets, digits at the end or spaces.
doc_prefix_validator = RegexValidator(
    r"^[^\s〔〕\[\]［］()（）0-9]{1,30}$",
    _("发文字号前缀不能包含空格、括号或数字，例如“中工商联函”。"),
)


def validate_seal(image) -> None:
    """A seal is a PNG (with transparency, so the text shows through), at most 2 MB and of a
    pixel size print can use (:mod:`agencies.seals`), judged before it is decoded."""
    from django.core.exceptions import ValidationError

    from agencies.seals import SEAL_MAX_BYTES, check_seal
    from core.workflow import DomainError

    if image.size > SEAL_MAX_BYTES:
        raise ValidationError(_("印章图片不能超过2MB。"))
    image.open("rb")
    data = image.read()
    image.seek(0)
    try:
        check_seal(data)
    except DomainError as error:
        raise ValidationError(error.message) from None


class SealFieldFile(ImageFieldFile):
    """A seal file: whatever stores it (the admin's upload, the demo, a script), it is stored
    scaled down to what print needs (:func:`agencies.seals.normalized_seal`)."""

    def save(self, name, content, save=True):
        from agencies.seals import normalized_seal

        content.open("rb")
        data = content.read()
        smaller = normalized_seal(data)
        super().save(name, ContentFile(smaller) if smaller is not data else ContentFile(data), save=save)


class SealField(models.ImageField):
    attr_class = SealFieldFile


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Agency(models.Model):
    """承办单位: an agency that handles proposals and signs reply letters.

    One agency goes by several names: ``name`` is the full name at the signature
    (中山市工商业联合会), ``title_name`` the name in a letter's title (中山市工商联),
    ``short_name`` the name in copy lists (市工商联) and ``letterhead`` the header
    mark (中山市工商联(总商会)文件).
    """

    class LetterStyle(models.TextChoices):
        DOCUMENT = "document", _("文件格式")
        LETTER = "letter", _("信函格式")

    code = models.CharField(_("代码"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("全称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50)
    title_name = models.CharField(_("标题中的名称"), max_length=100)
    letterhead = models.CharField(_("发文机关标志"), max_length=100)
    doc_prefix = models.CharField(
        _("发文字号前缀"), max_length=30, validators=[doc_prefix_validator],
        help_text=_("例如“中工商联函”，系统据此编号为 中工商联函〔2023〕11号。"),
    )
    letter_style = models.CharField(
        _("公文格式"), max_length=10, choices=LetterStyle.choices, default=LetterStyle.DOCUMENT
    )
    seal = SealField(
        _("印章图片"), upload_to="seals/", blank=True, validators=[validate_seal],
        help_text=_("带透明背景的PNG图片，打印时盖在署名和日期上。"),
    )
    printing = models.CharField(
        _("打印方式"), max_length=8, blank=True,
        choices=[("", _("按系统设置")), ("single", _("单面打印")), ("double", _("双面打印"))],
        help_text=_("双面打印时，版记排在偶数页（最后一张纸的背面）；需要加一张空白页才能做到时，"
                    "空白页和版记页都不编页码。"),
    )
    contact = models.CharField(
        _("联系人及电话"), max_length=200, blank=True,
        help_text=_("例如：何少荣，18824982023，88223809"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def double_sided(self) -> bool:
        return self.printing == "double" or (self.printing == "" and settings.LETTER_DOUBLE_SIDED)


class Membership(models.Model):
    """A user's place in an agency: officer (经办人) or approver (签发人)."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("经办人")
        APPROVER = "approver", _("签发人")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
        verbose_name=_("用户"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("承办单位")
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        ordering = ["agency__code", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency.short_name} · {self.get_role_display()}"


# A signing certificate's coming expiry is warned about this many days ahead.
CERTIFICATE_WARNING_DAYS = 30


class SigningCertificate(models.Model):
    """An agency's certificate for the digital signature (PAdES) of its signed letters.

    The PKCS#12 file is kept here, not among the media files; its password is read from
    the environment variable ``password_env`` or kept encrypted (:mod:`agencies.certificates`).
    The subject, issuer and validity are read from the file when it is uploaded.
    """

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="certificate", verbose_name=_("承办单位"),
    )
    pkcs12 = models.BinaryField(_("证书文件（PKCS#12）"), editable=False)
    password_encrypted = models.TextField(_("加密保存的证书密码"), blank=True, editable=False)
    password_env = models.CharField(
        _("证书密码环境变量"), max_length=100, blank=True,
        validators=[RegexValidator(r"^[A-Z_][A-Z0-9_]*$", _("环境变量名只能包含大写字母、数字和下划线。"))],
        help_text=_("填写后，签名时从这个环境变量读取证书密码，系统不保存密码。"),
    )
    subject = models.CharField(_("证书主体"), max_length=500, editable=False)
    issuer = models.CharField(_("颁发者"), max_length=500, editable=False)
    serial = models.CharField(_("序列号"), max_length=100, editable=False)
    fingerprint = models.CharField(_("证书指纹（SHA-256）"), max_length=64, editable=False)
    not_before = models.DateTimeField(_("生效时间"), editable=False)
    not_after = models.DateTimeField(_("到期时间"), editable=False)
    # The certificates above it (issuing CAs), public, as PEM: the roots among them are
    # what /verify/ trusts a signature to chain to.
    chain_pem = models.TextField(_("证书链"), blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)

    class Meta:
        verbose_name = _("签名证书")
        verbose_name_plural = _("签名证书")
        ordering = ["agency__code"]

    def __str__(self) -> str:
        return f"{self.agency.short_name} · {self.subject}"

    @property
    def days_left(self) -> int:
        return (self.not_after - timezone.now()).days

    @property
    def expires_soon(self) -> bool:
        return self.days_left < CERTIFICATE_WARNING_DAYS
