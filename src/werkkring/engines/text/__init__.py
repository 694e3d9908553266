"""Text tools shared by the synthesis and connections engines: tokens, stop words, lemmas, language."""

from werkkring.engines.text._language import Language, detect_language, language_of
from werkkring.engines.text._lemmas import lemmatize, lemmatize_tokens
from werkkring.engines.text._stopwords import STOPWORDS, is_stopword
from werkkring.engines.text._titles import short_title
from werkkring.engines.text._tokens import normalize, tokenize

__all__ = [
    "STOPWORDS",
    "Language",
    "detect_language",
    "is_stopword",
    "language_of",
    "lemmatize",
    "lemmatize_tokens",
    "normalize",
    "short_title",
    "tokenize",
]
