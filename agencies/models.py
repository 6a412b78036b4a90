"""承办单位: the agencies that answer proposals, and who works in them."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.fields.files import ImageFieldFile
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
