"""What lint and the import say, worded in French for the Sous-titres page (the checks stay the library's)."""

from __future__ import annotations

from pipeline.captions.lint import lint
from pipeline.captions.rules import CueRules
from pipeline.models import Cue
from pipeline.web.pages.subtitle_words import lint_message, lookalike, problem, rule_name

ENGLISH = ("cue", "line ", "shown", "characters a second", "overlaps", "before the next", "missing", "least", "most")


def test_every_lint_rule_is_said_in_french() -> None:
    cues = [Cue(0.0, 0.3, ("",)), Cue(0.2, 9.0, ("a" * 50, "b", "c")), Cue(9.01, 10.0, ("Pourquoi?",)),
            Cue(10.5, 11.5, ("e\u0301te\u0301", "ok")), Cue(11.5, 12.5, ("Un mot", "ok")), Cue(12.6, 13.5, ("x" * 30,))]
    found = lint(cues, CueRules())
    assert {v.rule for v in found} == {"empty", "too-short", "overlap", "lines", "line-length", "lone-word",
                                       "too-long", "cps", "typography", "gap", "unicode"}
    for v in found:
        said = lint_message(v)
        assert not any(word in said for word in ENGLISH), (v.message, said)
        assert rule_name(v.rule) != v.rule
    assert lint_message(next(v for v in found if v.rule == "too-short")) == "affiché 0,30 s (au moins 0,83 s)"


def test_import_problems_keep_their_row() -> None:
    assert problem("row 4: the translation is empty (write it, or delete the row if nothing is said)") == \
        ("ligne 4", "la traduction est vide (écrivez-la, ou supprimez la ligne si rien n'est dit)")
    assert problem("cue 3 (line 9): no 'HH:MM:SS,mmm --> HH:MM:SS,mmm' time line") == \
        ("sous-titre 3 (ligne 9 du fichier)", "pas de ligne de temps « HH:MM:SS,mmm --> HH:MM:SS,mmm »")
    assert problem("row 2: ends at 00:00:01,000, not after its start 00:00:02,000") == \
        ("ligne 2", "finit à 00:00:01,000, pas après son début 00:00:02,000")
    assert problem("something new the library says") == ("", "something new the library says")  # shown, never hidden
    assert lookalike("cue 2 (row 3): 'è' (U+00E8 latin small letter e with grave) may stand for 'ɛ'") == \
        ("sous-titre 2 (ligne 3)", "« è » (U+00E8) est peut-être un « ɛ » : vérifiez la lettre")
