"""The project's middleware: Chinese first, and clean input."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import QueryDict
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import check_for_language

from core.errors import bad_request
from core.text import has_controls, strip_controls


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


class CleanInputMiddleware:
    """What a request brings in, without control characters; a body it cannot read, refused
    with the site's page.

    Every value (and name) of the query string and of a form's body loses its control
    characters (:mod:`core.text`) before any view, form, filter or the admin reads it, so
    a NUL byte can reach neither a page nor PostgreSQL (which refuses it: the search, the
    admin's filters and its autocomplete answered 500). A body over Django's limits is
    answered with :func:`core.errors.bad_request`, which says what the limit is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _cleaned(request.GET)
        if request.method == "POST":
            try:
                request.POST = _cleaned(request.POST)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as error:
                return bad_request(request, error)
        return self.get_response(request)


def _cleaned(query: QueryDict) -> QueryDict:
    if not any(has_controls(key) or any(has_controls(v) for v in values)
               for key, values in query.lists()):
        return query
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(strip_controls(key), [strip_controls(value) for value in values])
    cleaned._mutable = False
    return cleaned
