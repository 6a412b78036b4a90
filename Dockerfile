# The application image: web (gunicorn), worker and beat (Celery) all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_STATIC_MANIFEST=true \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

# Pango and HarfBuzz's subsetter for WeasyPrint; fontconfig and free CJK fonts for the
# letters: Noto CJK, and the Fandol fonts taken (the .otf files only, not TeX) from
# texlive-lang-chinese. Keep this list in step with SYSTEM_PACKAGES in bin/_bootstrap.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk \
    && mkdir -p /tmp/fandol /usr/local/share/fonts/fandol && cd /tmp/fandol \
    && apt-get download texlive-lang-chinese \
    && dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb \
        | tar -x --wildcards './usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol[FSHK]*.otf' \
    && cp usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/*.otf /usr/local/share/fonts/fandol/ \
    && cd / && rm -rf /tmp/fandol /var/lib/apt/lists/* \
    && fc-cache -f

WORKDIR /app
COPY pyproject.toml README.md ./
# The s3 extra lets a deployment keep media in an S3-compatible store (S3_BUCKET).
RUN pip install --upgrade pip && pip install '.[s3]'
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --no-input

RUN useradd --system --uid 1000 --home /app app && mkdir -p /app/media && chown app /app/media
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "manage.py", "healthcheck", "--url", "http://127.0.0.1:8000/health/live/"]
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.py"]
