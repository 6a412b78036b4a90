"""An agency's seal must be a PNG image."""

import io

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
