"""Chinese first: the interface speaks Simplified Chinese unless the user chose otherwise."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Use the language the user picked with the language switch, else LANGUAGE_CODE.

    Unlike Django's own middleware, the browser's Accept-Language is not consulted:
    an office PC with an English browser still gets the Chinese interface.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
