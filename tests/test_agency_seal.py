"""An agency's seal must be a PNG image."""

import io
import warnings

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from agencies.models import validate_seal


def image_file(fmt: str, name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA" if fmt == "PNG" else "RGB", (40, 40), (230, 0, 18)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_png_seal_is_accepted():
    validate_seal(image_file("PNG", "seal.png"))


def test_a_jpeg_seal_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="PNG"):
        validate_seal(image_file("JPEG", "seal.png"))


# ---------------------------------------------------------------- pixel sizes


def png(width: int, height: int) -> bytes:
    """A real PNG of that size: a red ring on transparency, as small as PNG makes it."""
    buffer = io.BytesIO()
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.putpixel((width // 2, height // 2), (230, 0, 18, 255))
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# Making the test's picture is what Pillow warns of; the check itself never decodes it.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_seal_of_twelve_thousand_pixels_square_is_refused_naming_its_size():
    data = png(12_000, 12_000)
    assert len(data) < 2 * 1024 * 1024  # within the file limit, huge as a picture
    with pytest.raises(ValidationError, match="12000×12000像素"):
        validate_seal(SimpleUploadedFile("seal.png", data))


@pytest.mark.django_db
def test_a_large_seal_is_stored_scaled_down_whoever_stores_it(world):
    from django.core.files.base import ContentFile

    from agencies.seals import SEAL_PIXELS

    world.lead.seal.save("big.png", ContentFile(png(4000, 3000)), save=True)
    with world.lead.seal.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (SEAL_PIXELS, 750)
        assert stored.mode == "RGBA"
    world.co.seal.save("small.png", ContentFile(png(600, 600)), save=True)
    with world.co.seal.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (600, 600)


@pytest.mark.django_db
def test_a_large_seal_uploaded_in_the_admin_is_stored_scaled_down(client, world):
    from agencies.models import Agency
    from tests.factories import superuser
    from tests.html_forms import form_fields

    client.force_login(superuser())
    url = f"/admin/agencies/agency/{world.lead.pk}/change/"
    fields = form_fields(client.get(url).content.decode(), "")
    response = client.post(url, {**fields, "seal": SimpleUploadedFile("seal.png", png(3000, 3000))})
    assert response.status_code == 302
    with Agency.objects.get(pk=world.lead.pk).seal.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (1000, 1000)
    fields = form_fields(client.get(url).content.decode(), "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        huge = png(12_000, 12_000)
    response = client.post(url, {**fields, "seal": SimpleUploadedFile("seal.png", huge)})
    assert response.status_code == 200
    assert "12000×12000像素" in response.content.decode()


@pytest.mark.django_db
def test_a_seal_stored_before_is_scaled_when_a_letter_is_rendered(world):
    """A seal stored large before seals were scaled on saving: the renderer scales it."""
    from django.core.files.storage import default_storage

    from replies.pdf.fetcher import SEAL_PREFIX, LetterURLFetcher

    name = default_storage.save("seals/old.png", io.BytesIO(png(3000, 3000)))
    type(world.lead).objects.filter(pk=world.lead.pk).update(seal=name)
    response = LetterURLFetcher().fetch(f"{SEAL_PREFIX}{world.lead.pk}")
    with Image.open(io.BytesIO(response.read())) as image:
        assert image.size == (1000, 1000)
