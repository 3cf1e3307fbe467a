"""One definition of a sentence end, for cue breaks, the translation route and clip choice."""

from __future__ import annotations

import pytest

from pipeline.captions.sentences import ends_sentence, sentence_groups
from pipeline.clips.select import Utterance
from pipeline.models import Cue


@pytest.mark.parametrize(("text", "ends"), [
    ("Allez voter.", True), ("Pourquoi\u00a0?", True), ("Attendez…", True), ("Il a dit « oui.\u00a0»", True),
    ('Il a dit "oui."', True), ("oui.» ", True), ("Il a dit « oui »", False), ("Chaque citoyen,", False),
    ("à la mairie", False), ("", False),
])
def test_sentence_ends(text: str, ends: bool) -> None:
    assert ends_sentence(text) is ends


def test_subtitle_cues_and_clip_utterances_group_the_same_way() -> None:
    cues = [Cue(0.0, 1.0, ("Chaque citoyen", "peut participer")), Cue(1.1, 2.0, ("à la vie de sa commune.",)),
            Cue(2.1, 3.0, ("Les jeunes aussi",)), Cue(5.0, 6.0, ("ont leur place.",))]
    said = [Utterance(c.start, c.end, " ".join(c.lines)) for c in cues]
    assert [len(g) for g in sentence_groups(cues)] == [2, 2]
    assert [len(g) for g in sentence_groups(said)] == [2, 2]
    assert [len(g) for g in sentence_groups(said, max_pause=1.5)] == [2, 1, 1]  # a long pause ends one too
    assert [len(g) for g in sentence_groups([Utterance(0.0, 1.0), Utterance(1.2, 2.0)])] == [1, 1]  # sound only
