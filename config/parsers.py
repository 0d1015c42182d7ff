"""The project's JSON parser: DRF's, plus the limits every stored JSON value must meet.

A body nested deeper than MAX_JSON_DEPTH, an integer outside 64 bits, a non-finite number or a
NUL character anywhere (keys too) is a 400 naming the problem, before any view code runs:
PostgreSQL's jsonb refuses NUL, orjson cannot write integers beyond 64 bits back out (a stored
value would break every later read), and deep nesting exhausts the interpreter's stack.
"""

import codecs
import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

from config.limits import json_problem


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        problem = json_problem(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}")
        return data
