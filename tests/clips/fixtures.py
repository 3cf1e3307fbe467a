"""Subtitle fixtures for the sample episode: the narration's sentences at the times espeak-ng
speaks them in the sample master (measured with silencedetect; pauses of ~0.45 s between
sentences). The subtitles stage owns real subtitle files; these stand in for them."""

from __future__ import annotations

from pathlib import Path

SAMPLE_CUES = (
    (1.02, 3.42, "Bonjour et bienvenue dans Construisons Ensemble."),
    (3.87, 7.26, "Dans cet épisode, nous parlons de la citoyenneté active."),
    (7.74, 10.90, "Chaque citoyen peut participer à la vie de sa commune."),
    (11.34, 14.65, "Les jeunes et les femmes ont toute leur place au conseil communal."),
    (15.09, 17.37, "Ensemble, nous pouvons changer les choses."),
    (47.05, 50.55, "Pour voter, il faut être inscrit sur la liste électorale."),
    (50.99, 53.71, "Allez à la mairie avec votre carte d'identité."),
    (54.19, 58.18, "Posez vos questions à vos élus, et suivez les décisions du conseil."),
    (58.66, 61.66, "Une gouvernance inclusive, c'est l'affaire de tous."),
    (62.10, 63.25, "Merci et à bientôt."),
)


def stamp(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def write_srt(path: Path, cues=SAMPLE_CUES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{i}\n{stamp(a)} --> {stamp(b)}\n{t}\n\n" for i, (a, b, t) in enumerate(cues, 1)),
                    encoding="utf-8")
    return path
